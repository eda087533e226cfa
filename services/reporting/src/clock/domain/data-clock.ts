/**
 * The reporting clock follows the data, not the wall (docs/adr/0008-reporting-clock.md): "now" is the latest PBX event
 * time seen, advanced by the wall time since it was seen × the speed at which event time has been observed to pass.
 * A live feed runs at speed 1, so the clock is the wall clock shifted by the feed's delay; a replay or a simulator at
 * 60× runs its own day. Pure: samples and wall times are passed in.
 */
export interface DataClockSettings {
  /** Wall time over which the speed is measured; shorter bursts of events say little about it. */
  readonly speedWindowMs: number;
  /** A measured speed this close to 1 (ratio) is taken as exactly 1: a live feed. */
  readonly liveTolerance: number;
  /**
   * At a speed other than 1, the clock runs at most this far (event time) past the latest event, then waits for the
   * data: a fast feed that goes quiet (the simulated day ended) or a catch-up burst (a rebuild) never runs it away.
   */
  readonly maxAheadMs: number;
}

export const DEFAULT_DATA_CLOCK: DataClockSettings = { speedWindowMs: 2000, liveTolerance: 0.2, maxAheadMs: 300_000 };

export interface DataClock {
  /** Latest event time seen (epoch ms); null before any. */
  readonly latestMs: number | null;
  /** Wall time at which `latestMs` was first seen. */
  readonly seenAtWallMs: number;
  /** Event-time ms per wall ms. */
  readonly speed: number;
  /** Start of the current speed measurement. */
  readonly window: { readonly wallMs: number; readonly dataMs: number } | null;
  /** The clock never runs backwards: the last instant it gave. */
  readonly lastGivenMs: number;
}

export const startClock = (): DataClock => ({ latestMs: null, seenAtWallMs: 0, speed: 1, window: null, lastGivenMs: -Infinity });

/** Folds in the latest event time read from the read model at `wallMs`. */
export function observe(c: DataClock, latestMs: number | null, wallMs: number, s: DataClockSettings = DEFAULT_DATA_CLOCK): DataClock {
  if (latestMs === null || (c.latestMs !== null && latestMs <= c.latestMs)) return c;
  const window = c.window ?? { wallMs, dataMs: latestMs };
  const elapsed = wallMs - window.wallMs;
  if (elapsed < s.speedWindowMs) return { ...c, latestMs, seenAtWallMs: wallMs, window };
  const measured = Math.max(0, (latestMs - window.dataMs) / elapsed);
  const speed = Math.abs(measured - 1) <= s.liveTolerance ? 1 : measured;
  return { ...c, latestMs, seenAtWallMs: wallMs, speed, window: { wallMs, dataMs: latestMs } };
}

/** The data's "now" at `wallMs`; the wall clock while no event has been seen. */
export function readClock(c: DataClock, wallMs: number, s: DataClockSettings = DEFAULT_DATA_CLOCK): { nowMs: number; clock: DataClock } {
  if (c.latestMs === null) return { nowMs: wallMs, clock: c };
  const since = Math.max(0, wallMs - c.seenAtWallMs);
  const ahead = c.speed === 1 ? since : Math.min(since * c.speed, s.maxAheadMs);
  const nowMs = Math.max(c.lastGivenMs, c.latestMs + ahead);
  return { nowMs, clock: { ...c, lastGivenMs: nowMs } };
}
