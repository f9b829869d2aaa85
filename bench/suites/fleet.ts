/**
 * Suite `fleet`: moving one technician (GPS-like small moves, ~2 % cross-city moves), against the
 * naive live update of an rbush (remove + re-insert the radius box); and memory per technician,
 * both as the heap growth of building the fleet in a fresh process (index, attributes, id map, id
 * strings, availability windows; see `../memory.ts`) and as `fleet.byteLength` (typed arrays only).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import RBush from 'rbush';
import { Fleet } from '../../src/fleet/fleet.js';
import { createRng } from '../../src/shared/random.js';
import { cityPicker, generateFleet } from '../data.js';
import type { ScenarioSpec } from '../harness.js';
import { type BuildOptions, citiesOf, GEOGRAPHIES, type Geography, type SuiteDef } from './common.js';

const MOVES = 1 << 16;
const BATCH = 1024;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Bytes per technician from a fresh process (see `../memory.ts`); NaN figures when it cannot run. */
function measureMemory(g: Geography): { heapBytesPerTechnician: number } {
  try {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/memory.ts', String(g.technicians), g.region, String(g.seed)],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return JSON.parse(out) as { heapBytesPerTechnician: number };
  } catch {
    return { heapBytesPerTechnician: Number.NaN };
  }
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function scenario(g: Geography, options: BuildOptions = {}): ScenarioSpec {
  const fleet = new Fleet();
  for (const t of generateFleet(citiesOf(g.region), g.technicians, { seed: g.seed })) fleet.add(t);
  const { heapBytesPerTechnician } = options.subjectOnly
    ? { heapBytesPerTechnician: Number.NaN }
    : measureMemory(g);
  const n = fleet.size;
  const ids = [...fleet.idsIterator()];
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const radius = new Float64Array(n);
  ids.forEach((id, k) => {
    const t = fleet.get(id)!;
    lat[k] = t.lat;
    lon[k] = t.lon;
    radius[k] = t.radiusKm;
  });

  // The move list: who moves where, generated once (sequentially consistent positions).
  const rng = createRng(g.seed ^ 0x40fe);
  const pick = cityPicker(citiesOf(g.region), rng);
  const who = new Int32Array(MOVES);
  const toLat = new Float64Array(MOVES);
  const toLon = new Float64Array(MOVES);
  const curLat = lat.slice();
  const curLon = lon.slice();
  let crossCity = 0;
  for (let m = 0; m < MOVES; m++) {
    const k = rng.int(n);
    let la: number;
    let lo: number;
    if (rng.next() < 0.02) {
      const c = pick();
      la = c.lat + (rng.next() - 0.5) * 0.05;
      lo = c.lon + (rng.next() - 0.5) * 0.05;
      crossCity++;
    } else {
      // ~30 m GPS step
      la = curLat[k]! + (rng.next() - 0.5) * 0.0005;
      lo = curLon[k]! + (rng.next() - 0.5) * 0.0007;
    }
    la = Math.max(-89.99, Math.min(89.99, la));
    lo = lo > 180 ? lo - 360 : lo < -180 ? lo + 360 : lo;
    who[m] = k;
    toLat[m] = la;
    toLon[m] = lo;
    curLat[k] = la;
    curLon[k] = lo;
  }

  // Naive live index: rbush of radius boxes, remove + insert per move.
  const boxOf = (la: number, lo: number, km: number, b: Box): Box => {
    const dLat = km / 111.195;
    const dLon = Math.min(
      180,
      dLat / Math.max(0.01, Math.cos((Math.min(89.9, Math.abs(la) + dLat) * Math.PI) / 180)),
    );
    b.minX = lo - dLon;
    b.maxX = lo + dLon;
    b.minY = la - dLat;
    b.maxY = la + dLat;
    return b;
  };
  const boxes: Box[] = ids.map((_, k) =>
    boxOf(lat[k]!, lon[k]!, radius[k]!, { minX: 0, minY: 0, maxX: 0, maxY: 0 }),
  );
  const tree = new RBush<Box>(16).load(boxes);

  let m1 = 0;
  let m2 = 0;
  return {
    suite: 'fleet',
    scenario: g.name,
    params: {
      technicians: n,
      fleetSeed: g.seed,
      moves: MOVES,
      crossCityShare: crossCity / MOVES,
      batch: BATCH,
    },
    methods: [
      {
        name: 'move',
        role: 'subject',
        opsPerCall: BATCH,
        clock: 'cpu',
        fn: () => {
          for (let b = 0; b < BATCH; b++) {
            const m = m1++ & (MOVES - 1);
            fleet.move(ids[who[m]!]!, toLat[m]!, toLon[m]!);
          }
          return m1;
        },
      },
      {
        name: 'rbush-move',
        role: 'naive',
        opsPerCall: BATCH,
        clock: 'cpu',
        fn: () => {
          for (let b = 0; b < BATCH; b++) {
            const m = m2++ & (MOVES - 1);
            const k = who[m]!;
            const box = boxes[k]!;
            tree.remove(box);
            tree.insert(boxOf(toLat[m]!, toLon[m]!, radius[k]!, box));
          }
          return m2;
        },
      },
    ],
    figures: {
      heapBytesPerTechnician,
      typedArrayBytesPerTechnician: fleet.byteLength / n,
    },
  };
}

/** The `fleet` suite. */
export const fleetSuite: SuiteDef = {
  name: 'fleet',
  description: 'move one technician (vs rbush remove+insert) and bytes per technician',
  scenarios: GEOGRAPHIES.filter((g) => g.name !== 'ch-1500').map((g) => ({
    name: g.name,
    quick: g.quick,
    build: (o) => scenario(g, o),
  })),
};
