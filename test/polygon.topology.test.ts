/**
 * The topology check (grid-bucketed) against a brute-force one: every pair of edges of random
 * small rings on an integer lattice, where crossings, touches, collinear overlaps and spikes are
 * common and every orientation is exact. compileArea must refuse a ring exactly when the brute
 * force finds a problem, and accept it otherwise; accepted rings then agree with an even–odd
 * reference at off-lattice probes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { areaContains, compileArea, InvalidAreaError } from '../src/fleet/geo/polygon.js';
import { fcSeed } from './helpers/seed.js';

const SEED = fcSeed('polygon.topology.test.ts');

type P = [number, number];

const orient = (a: P, b: P, c: P) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const onSeg = (a: P, b: P, c: P) =>
  orient(a, b, c) === 0 &&
  c[0] >= Math.min(a[0], b[0]) &&
  c[0] <= Math.max(a[0], b[0]) &&
  c[1] >= Math.min(a[1], b[1]) &&
  c[1] <= Math.max(a[1], b[1]);

/** Do the closed segments a–b and c–d share any point? */
function meets(a: P, b: P, c: P, d: P): boolean {
  const o1 = Math.sign(orient(a, b, c));
  const o2 = Math.sign(orient(a, b, d));
  const o3 = Math.sign(orient(c, d, a));
  const o4 = Math.sign(orient(c, d, b));
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  return onSeg(a, b, c) || onSeg(a, b, d) || onSeg(c, d, a) || onSeg(c, d, b);
}

/** Brute force: a simple ring has no two non-neighbouring edges meeting and no neighbour folding back. */
function simple(v: P[]): boolean {
  const n = v.length;
  if (n < 3) return false;
  for (let i = 0; i < n; i++) {
    const a = v[i]!;
    const b = v[(i + 1) % n]!;
    const c = v[(i + 2) % n]!;
    // Neighbours meet at b only, unless the second runs back along the first.
    if (orient(a, b, c) === 0 && (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0)
      return false;
    for (let j = i + 2; j < n; j++) {
      if ((j + 1) % n === i) continue; // the other neighbour of edge i
      if (meets(a, b, v[j]!, v[(j + 1) % n]!)) return false;
    }
  }
  return true;
}

function evenOdd(v: P[], x: number, y: number): boolean {
  let odd = false;
  for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
    const [xi, yi] = v[i]!;
    const [xj, yj] = v[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

const lattice = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), {
  minLength: 3,
  maxLength: 9,
});

describe('topology check equals the brute force', () => {
  it('refuses exactly the rings that are not simple', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(lattice, (raw) => {
        // What compileArea keeps: consecutive repeats (and repeats of the closing position) dropped.
        const v: P[] = [];
        for (const p of raw as P[])
          if (v.length === 0 || v[v.length - 1]![0] !== p[0] || v[v.length - 1]![1] !== p[1]) v.push(p);
        while (v.length > 1 && v[0]![0] === v[v.length - 1]![0] && v[0]![1] === v[v.length - 1]![1]) v.pop();
        const ring = [...raw, raw[0]!].map(([x, y]) => [7 + x / 8, 46 + y / 8]);
        const scaled: P[] = v.map(([x, y]) => [7 + x / 8, 46 + y / 8]);
        let error: unknown = null;
        let area: ReturnType<typeof compileArea> | null = null;
        try {
          area = compileArea({ type: 'Polygon', coordinates: [ring] });
        } catch (e) {
          error = e;
        }
        const ok = simple(v);
        if (ok) {
          expect(error, `refused a simple ring ${JSON.stringify(v)}: ${String(error)}`).toBeNull();
          accepted++;
          // Off-lattice offsets, so no probe lies on an edge (where the two rules may differ).
          for (let x = -1; x <= 6; x++) {
            for (let y = -1; y <= 6; y++) {
              const lon = 7 + (x + 0.3141) / 8;
              const lat = 46 + (y + 0.2718) / 8;
              expect(areaContains(area!, lat, lon)).toBe(evenOdd(scaled, lon, lat));
            }
          }
        } else {
          expect(error, `accepted ${JSON.stringify(v)}`).toBeInstanceOf(InvalidAreaError);
          expect((error as Error).message).toMatch(/itself|encloses no area|straight back/);
          refused++;
        }
      }),
      { seed: SEED, numRuns: 3_000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
