/**
 * Random streams for common random numbers. Each purpose (fleet, arrivals, behaviour) draws from
 * its own seeded generator, and a technician's answer to a job is a pure hash of
 * (seed, job, technician, draw): two policies that offer the same job to the same technician in
 * the same state get the same answer, so differences between policies are the policies', not noise.
 */
import { createRng, type Rng } from 'crowd-dispatch';

/** Named streams of one simulation run. */
export type StreamName = 'fleet' | 'arrivals' | 'traits' | 'shifts' | 'bookings' | 'areas';

const STREAM_SALT: Record<StreamName, number> = {
  fleet: 0x1f3a,
  arrivals: 0x2b71,
  traits: 0x3c05,
  shifts: 0x4d92,
  bookings: 0x5e27,
  areas: 0x6f4b,
};

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A generator for one purpose of a run; the same (seed, name) always gives the same sequence. */
export function stream(seed: number, name: StreamName): Rng {
  return createRng(mix32(seed ^ Math.imul(STREAM_SALT[name], 0x9e3779b1)));
}

/**
 * A uniform number in [0, 1) that depends only on its four integer keys (a counter-based
 * generator): `draw(seed, jobIndex, techIndex, k)`.
 */
export function draw(seed: number, a: number, b: number, k: number): number {
  let h = mix32(seed ^ 0x5bd1e995);
  h = mix32(h ^ a);
  h = mix32(h ^ Math.imul(b + 1, 0x27d4eb2d));
  h = mix32(h ^ Math.imul(k + 1, 0x165667b1));
  return h / 4294967296;
}

/** A standard normal deviate from two uniforms (Box–Muller). */
export function normal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** A log-normal deviate with the given median and log-space sigma. */
export function logNormal(median: number, sigma: number, u1: number, u2: number): number {
  return median * Math.exp(sigma * normal(u1, u2));
}

/** Picks an index from cumulative weights (ascending, last = total). */
export function pickCumulative(cumulative: ArrayLike<number>, u: number): number {
  const target = u * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Cumulative sums of weights. */
export function cumulate(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i]!;
    out[i] = s;
  }
  return out;
}
