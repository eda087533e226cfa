import type { Rng } from './prng';
import { timeOfDaySeconds, type ArrivalProfile, type SuddenPeak } from './scenario';

const DAY = 86400;

/** Calls per second at `secondOfDay` (seconds since midnight of the simulated day; wraps every 24 h). */
export function arrivalRate(profile: ArrivalProfile, peaks: readonly SuddenPeak[], secondOfDay: number): number {
  return baseRate(profile, secondOfDay % DAY) * peakMultiplier(peaks, secondOfDay);
}

function baseRate(profile: ArrivalProfile, t: number): number {
  switch (profile.kind) {
    case 'constant':
      return profile.callsPerHour / 3600;
    case 'm-curve':
      return mCurveRate(profile, t);
    case 'hourly':
      return hourlyRate(profile.callsPerHour, t);
    default: {
      const _exhaustive: never = profile;
      return _exhaustive;
    }
  }
}

function mCurveRate(profile: Extract<ArrivalProfile, { kind: 'm-curve' }>, t: number): number {
  const width = profile.peakWidthHours * 3600;
  const peakArea = width * Math.sqrt(2 * Math.PI);
  const peakShare = (1 - profile.baseShare) / 2;
  const gauss = (centre: number): number => Math.exp(-((t - centre) ** 2) / (2 * width * width)) / peakArea;
  const peaks = gauss(timeOfDaySeconds(profile.morningPeak)) + gauss(timeOfDaySeconds(profile.afternoonPeak));
  return profile.callsPerDay * (profile.baseShare / DAY + peakShare * peaks);
}

function hourlyRate(callsPerHour: readonly number[], t: number): number {
  const position = t / 3600 - 0.5;
  const lower = Math.floor(position);
  const fraction = position - lower;
  const at = (h: number): number => callsPerHour[((h % 24) + 24) % 24] ?? 0;
  return (at(lower) * (1 - fraction) + at(lower + 1) * fraction) / 3600;
}

function peakMultiplier(peaks: readonly SuddenPeak[], secondOfDay: number): number {
  let multiplier = 1;
  for (const peak of peaks) {
    const start = timeOfDaySeconds(peak.start);
    if (secondOfDay >= start && secondOfDay < start + peak.durationMinutes * 60) multiplier *= peak.multiplier;
  }
  return multiplier;
}

/** Expected number of arrivals in [from, to) seconds of day, by numeric integration (used by tests and progress). */
export function expectedArrivals(profile: ArrivalProfile, peaks: readonly SuddenPeak[], from: number, to: number): number {
  const step = 10;
  let total = 0;
  for (let t = from; t < to; t += step) {
    const width = Math.min(step, to - t);
    total += arrivalRate(profile, peaks, t + width / 2) * width;
  }
  return total;
}

function maxRate(profile: ArrivalProfile, peaks: readonly SuddenPeak[], from: number, to: number): number {
  let max = 0;
  for (let t = from; t <= to; t += 30) max = Math.max(max, arrivalRate(profile, peaks, t));
  return max * 1.05 + 1e-9;
}

/**
 * Arrival instants (seconds of day) of a non-homogeneous Poisson process on [from, to), by Lewis–Shedler thinning.
 * Generated up front: arrivals do not depend on the rest of the simulation, and a fixed list keeps runs reproducible.
 */
export function generateArrivals(
  profile: ArrivalProfile,
  peaks: readonly SuddenPeak[],
  from: number,
  to: number,
  rng: Rng,
): number[] {
  const bound = maxRate(profile, peaks, from, to);
  const arrivals: number[] = [];
  let t = from;
  for (;;) {
    t += -Math.log(1 - rng.next()) / bound;
    if (t >= to) return arrivals;
    if (rng.next() * bound <= arrivalRate(profile, peaks, t)) arrivals.push(t);
  }
}
