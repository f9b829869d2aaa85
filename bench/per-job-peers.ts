/**
 * `plan()` against the lean rbush baseline job by job, without the noise: each of a scenario's
 * first 2,048 jobs is planned 7 times in a row by each (interleaved, so both see the same machine)
 * and each keeps its fastest time; then the distribution over jobs of both and their ratio are
 * printed. On a shared machine the bench's wall-clock p99 mostly measures preemption; this
 * separates "this job is expensive" from "this run was noisy".
 *
 *   npx tsx bench/per-job-peers.ts [scenario=ch-1500] [jobs=2048]
 */
import { plan } from '../src/plan/plan.js';
import { rbushPlanner, slotTable } from './baselines.js';
import { generateFleet, generateJobs } from './data.js';
import { quantile } from './harness.js';
import { benchPolicy, citiesOf, NOW, PLAN_GEOGRAPHIES } from './suites/common.js';
import { buildFleet } from './suites/plan.js';

const name = process.argv[2] ?? 'ch-1500';
const count = Number(process.argv[3] ?? 2048);
const g = PLAN_GEOGRAPHIES.find((x) => x.name === name);
if (!g) {
  throw new Error(
    `unknown scenario '${name}'; choose from ${PLAN_GEOGRAPHIES.map((x) => x.name).join(', ')}.`,
  );
}
if (!Number.isInteger(count) || count < 1) throw new Error(`jobs is ${count}; pass a whole number ≥ 1.`);
const cities = citiesOf(g.region);
const inputs = generateFleet(cities, g.technicians, { seed: g.seed, nationwide: g.nationwide ?? 0 });
const fleet = buildFleet(inputs, g.seed);
const jobs = generateJobs(cities, count, { seed: g.seed + 1 });
const policy = benchPolicy();
const rbush = rbushPlanner(fleet, slotTable(fleet, inputs), policy, NOW);
const ours = (job: (typeof jobs)[number]) => plan(fleet, job, { now: NOW, policy });

let sink = 0;
for (let r = 0; r < 3; r++) {
  for (const j of jobs) sink += ours(j).eligibleCount + rbush(j).eligibleCount;
}
const bestOf = (fn: () => number): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    sink += fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best * 1000;
};
const a = new Float64Array(jobs.length);
const b = new Float64Array(jobs.length);
jobs.forEach((job, i) => {
  a[i] = bestOf(() => ours(job).eligibleCount);
  b[i] = bestOf(() => rbush(job).eligibleCount);
});
const sa = a.slice().sort();
const sb = b.slice().sort();
const row = (p: number, label: string) => {
  const x = quantile(sa, p);
  const y = quantile(sb, p);
  return `${label} plan ${x.toFixed(1)} µs, rbush ${y.toFixed(1)} µs (${(y / x).toFixed(2)}×)`;
};
console.log(`${name}: per-job best of 7 over ${jobs.length} jobs`);
for (const [p, label] of [
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.99, 'p99'],
  [1, 'max'],
] as const) {
  console.log(`  ${row(p, label)}`);
}
if (!Number.isFinite(sink)) console.log(sink);
