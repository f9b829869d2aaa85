/**
 * Per-job plan cost without the noise: each of the scenario's first 2,048 jobs is planned 7 times
 * in a row and its fastest time kept (cache-warm, rarely preempted), then the distribution over
 * jobs and the slowest jobs are printed. It separates "this job is expensive" (many eligible
 * technicians in a megacity) from "this run was noisy" — the benchmark's p99 mixes both.
 *
 *   npx tsx bench/per-job.ts [scenario=world-100k]
 */
import { plan } from '../src/plan/plan.js';
import { generateFleet, generateJobs } from './data.js';
import { quantile } from './harness.js';
import { benchPolicy, citiesOf, GEOGRAPHIES, NOW } from './suites/common.js';
import { buildFleet } from './suites/plan.js';

const name = process.argv[2] ?? 'world-100k';
const g = GEOGRAPHIES.find((x) => x.name === name);
if (!g)
  throw new Error(`unknown scenario '${name}'; choose from ${GEOGRAPHIES.map((x) => x.name).join(', ')}.`);
const cities = citiesOf(g.region);
const fleet = buildFleet(generateFleet(cities, g.technicians, { seed: g.seed }), g.seed);
const jobs = generateJobs(cities, 2048, { seed: g.seed + 1 });
const policy = benchPolicy();
for (let r = 0; r < 3; r++) for (const j of jobs) plan(fleet, j, { now: NOW, policy });
const rows = jobs.map((job) => {
  let best = Number.POSITIVE_INFINITY;
  let eligible = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    eligible = plan(fleet, job, { now: NOW, policy }).eligibleCount;
    best = Math.min(best, performance.now() - t0);
  }
  return { us: best * 1000, eligible, job };
});
const sorted = Float64Array.from(rows.map((r) => r.us)).sort();
const f = (p: number) => `${quantile(sorted, p).toFixed(1)} µs`;
console.log(`${name}: per-job best of 7 — p50 ${f(0.5)}, p90 ${f(0.9)}, p99 ${f(0.99)}, max ${f(1)}`);
rows.sort((a, b) => b.us - a.us);
for (const r of rows.slice(0, 5)) {
  const covering = fleet.covering(r.job.lat, r.job.lon).length;
  console.log(
    `  ${r.us.toFixed(1)} µs  eligible ${r.eligible}, covering ${covering}, at ${r.job.lat.toFixed(2)}, ${r.job.lon.toFixed(2)}`,
  );
}
