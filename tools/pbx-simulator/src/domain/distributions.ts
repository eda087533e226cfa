import type { Rng } from './prng';

/** A random quantity in seconds (or a count for hold counts), as written in scenario files. */
export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'lognormal'; readonly mean: number; readonly sd: number }
  | { readonly kind: 'discrete'; readonly values: readonly number[]; readonly weights: readonly number[] };

export function sample(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + (dist.max - dist.min) * rng.next();
    case 'exponential':
      return -dist.mean * Math.log(1 - rng.next());
    case 'lognormal':
      return sampleLognormal(dist.mean, dist.sd, rng);
    case 'discrete':
      return sampleDiscrete(dist.values, dist.weights, rng);
    default: {
      const _exhaustive: never = dist;
      return _exhaustive;
    }
  }
}

export function meanOf(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'exponential':
    case 'lognormal':
      return dist.mean;
    case 'discrete': {
      const total = dist.weights.reduce((s, w) => s + w, 0);
      return dist.values.reduce((s, v, i) => s + v * (dist.weights[i] ?? 0), 0) / total;
    }
    default: {
      const _exhaustive: never = dist;
      return _exhaustive;
    }
  }
}

/** Lognormal parameterised by its own mean and standard deviation (what a call-center analyst knows). */
function sampleLognormal(mean: number, sd: number, rng: Rng): number {
  const sigma2 = Math.log(1 + (sd * sd) / (mean * mean));
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * standardNormal(rng));
}

function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function sampleDiscrete(values: readonly number[], weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let target = rng.next() * total;
  for (let i = 0; i < values.length; i++) {
    target -= weights[i] ?? 0;
    if (target < 0) return values[i] ?? 0;
  }
  return values[values.length - 1] ?? 0;
}

export function chance(probability: number, rng: Rng): boolean {
  return probability > 0 && rng.next() < probability;
}
