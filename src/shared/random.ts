/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32). The core never calls
 * `Math.random()`: whoever needs randomness creates a generator from a seed and passes it in, so
 * a simulation or a failing test replays exactly.
 */

/** A seeded generator; `state()` / `createRng(seed, state)` let a run be snapshotted and resumed. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** The internal state, for snapshots. */
  state(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded generator.
 * @example
 * const rng = createRng(42);
 * rng.next(); // always the same number for seed 42
 */
export function createRng(seed: number, state?: readonly [number, number, number, number]): Rng {
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (state) {
    [a, b, c, d] = state;
  } else {
    const sm = splitmix32(seed);
    a = sm();
    b = sm();
    c = sm();
    d = sm();
  }
  const next32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  return {
    next: () => next32() / 4294967296,
    int: (n: number) => Math.floor((next32() / 4294967296) * n),
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}
