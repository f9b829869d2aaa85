/**
 * The fixed reference workload every scenario measures in the same rounds as its methods. Two
 * halves: a cache-resident scan shaped like a candidate scan (typed-array reads, a bitmask test, a
 * dot product, a threshold, a few float operations), and a chain of dependent random reads over
 * 8 MB (memory latency, which neighbours on a shared machine degrade more than arithmetic). So it
 * slows down with the machine the way the code under test does; dividing by it cancels most of the
 * machine's drift. Never change it without refreshing the baseline: every stored ratio depends on it.
 */
import { createRng } from '../src/shared/random.js';

const N = 2048;
const xyz = new Float64Array(N * 4);
const masks = new Uint32Array(N);
{
  const rng = createRng(20260101);
  for (let i = 0; i < N; i++) {
    const z = rng.next() * 2 - 1;
    const t = rng.next() * 2 * Math.PI;
    const r = Math.sqrt(1 - z * z);
    xyz[4 * i] = r * Math.cos(t);
    xyz[4 * i + 1] = r * Math.sin(t);
    xyz[4 * i + 2] = z;
    xyz[4 * i + 3] = rng.next() * 0.5;
    masks[i] = (rng.next() * 0xffffffff) >>> 0;
  }
}

/**
 * A single random cycle over 2M slots (8 MB, Sattolo's algorithm): following it is a chain of
 * misses that hit a quiet machine's L3 but go to memory when neighbours thrash the shared cache —
 * the same pressure the fleet's arrays feel, so the ratio of memory-bound figures stays put.
 */
const CHAIN = 1 << 21;
const next = new Int32Array(CHAIN);
{
  const rng = createRng(20260102);
  for (let i = 0; i < CHAIN; i++) next[i] = i;
  for (let i = CHAIN - 1; i > 0; i--) {
    const j = rng.int(i);
    const t = next[i]!;
    next[i] = next[j]!;
    next[j] = t;
  }
}
const HOPS = 160;
let at = 0;
let q = 0;

/** One call of the reference workload (~10 µs on a 2020s server core); returns a value to sink. */
export function referenceWorkload(): number {
  q = (q + 1) & 1023;
  const jx = xyz[4 * q]!;
  const jy = xyz[4 * q + 1]!;
  const jz = xyz[4 * q + 2]!;
  const need = masks[q]! & 0x00000303;
  let acc = 0;
  let count = 0;
  for (let i = 0; i < N; i++) {
    if ((masks[i]! & need) !== need) continue;
    const o = 4 * i;
    const dx = xyz[o]! - jx;
    const dy = xyz[o + 1]! - jy;
    const dz = xyz[o + 2]! - jz;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 > xyz[o + 3]!) continue;
    acc += 1 / (1 + d2) + xyz[o + 3]! * 0.5;
    count++;
  }
  let p = at;
  for (let h = 0; h < HOPS; h++) p = next[p]!;
  at = p;
  return acc + count + p;
}
