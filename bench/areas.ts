/**
 * Plan cost with technicians' extra service areas: the plan suite's CH-1,500 fleet as it is, and
 * the same fleet where a share of technicians (default 10 %) also serve one or two cantons (the
 * canton holding their home and, for half of them, a random other one). Jobs are the suite's.
 * Each job is planned `repeat` times in a row and its fastest time kept (as bench/per-job.ts), then
 * p50/p99 over jobs are printed for both fleets, with the area index's size and how many
 * candidates came through an area.
 *
 *   npx tsx bench/areas.ts [--share 0.1] [--jobs 2048] [--repeat 7] [--scenario ch-1500]
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { plan } from '../src/plan/plan.js';
import { createRng } from '../src/shared/random.js';
import type { GeoJsonArea, Job, TechnicianInput } from '../src/shared/types.js';
import { swissAreas } from '../test/polygon-shapes.js';
import { generateFleet, generateJobs } from './data.js';
import { quantile } from './harness.js';
import { benchPolicy, citiesOf, GEOGRAPHIES, NOW } from './suites/common.js';
import { buildFleet } from './suites/plan.js';

function arg(name: string, fallback: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : String(fallback);
}

const share = Number(arg('share', 0.1));
const jobCount = Number(arg('jobs', 2048));
const repeat = Number(arg('repeat', 7));
const g = GEOGRAPHIES.find((x) => x.name === arg('scenario', 'ch-1500'));
if (g?.region !== 'ch') throw new Error('--scenario must be a Swiss scenario (ch-1500 or ch-10000).');

const cities = citiesOf('ch');
const base = generateFleet(cities, g.technicians, { seed: g.seed });
const { cantons } = swissAreas();
const rng = createRng(g.seed ^ 0xa4ea);
let withAreas = 0;
const extended: TechnicianInput[] = base.map((t) => {
  if (rng.next() >= share) return t;
  const home = cantons.find((c) => booleanPointInPolygon([t.lon, t.lat], c));
  const areas: GeoJsonArea[] = [];
  if (home) areas.push(home as GeoJsonArea);
  if (!home || rng.next() < 0.5) areas.push(cantons[rng.int(cantons.length)]! as GeoJsonArea);
  withAreas++;
  return { ...t, areas };
});
const jobs: Job[] = generateJobs(cities, jobCount, { seed: g.seed + 1 });
const policy = benchPolicy();

function measure(label: string, inputs: readonly TechnicianInput[]): void {
  const t0 = performance.now();
  const fleet = buildFleet(inputs, g!.seed);
  const buildMs = performance.now() - t0;
  for (let r = 0; r < 3; r++) for (const j of jobs) plan(fleet, j, { now: NOW, policy });
  const times = new Float64Array(jobs.length);
  let viaArea = 0;
  let candidates = 0;
  jobs.forEach((job, k) => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeat; r++) {
      const s = performance.now();
      plan(fleet, job, { now: NOW, policy });
      best = Math.min(best, performance.now() - s);
    }
    times[k] = best * 1000;
    const p = plan(fleet, job, { now: NOW, policy });
    candidates += p.candidates.length;
    for (const c of p.candidates) if (c.via === 'area') viaArea++;
  });
  times.sort();
  const f = (q: number) => `${quantile(times, q).toFixed(1)} µs`;
  console.log(
    `${label}: p50 ${f(0.5)}, p90 ${f(0.9)}, p99 ${f(0.99)}, max ${f(1)} | fleet built in ${buildMs.toFixed(0)} ms, ` +
      `${fleet.areas.technicians} technicians with areas, ${fleet.areas.cellEntries} area cell entries, ` +
      `${(candidates / jobs.length).toFixed(1)} candidates per job of which ${(viaArea / jobs.length).toFixed(2)} via an area`,
  );
}

console.log(
  `${g.name}, ${jobs.length} jobs, best of ${repeat} per job; ${withAreas} technicians (${(share * 100).toFixed(0)} %) get 1–2 cantons`,
);
measure('without areas', base);
measure('with areas   ', extended);
measure('without areas', base);
measure('with areas   ', extended);
