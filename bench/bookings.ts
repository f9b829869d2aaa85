// Focused plan() cost by kind of job over the CH-1,500 fixture: on-demand, with 300 reservations in the
// fleet, appointment windows, direct bookings. Run: npx tsx bench/bookings.ts (medians of 15 rounds of 2,000 plans).

import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import type { Job } from '../src/shared/types.js';
import { generateJobs, loadFleetFixture, loadSwissCities, PARTNER_RULES } from './data.js';

const now = Date.UTC(2026, 11, 7, 6, 0);
const policy = createPolicy({ partners: PARTNER_RULES });
const base = generateJobs(loadSwissCities(), 2000, {});
function time(label: string, fleet: Fleet, jobs: Job[]) {
  let sink = 0;
  for (let r = 0; r < 3; r++) for (const j of jobs) sink += plan(fleet, j, { now, policy }).eligibleCount;
  const rounds: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (const j of jobs) sink += plan(fleet, j, { now, policy }).eligibleCount;
    rounds.push(Number(process.hrtime.bigint() - t0) / jobs.length / 1000);
  }
  rounds.sort((a, b) => a - b);
  console.log(
    label.padEnd(40),
    'median µs/plan',
    rounds[7]!.toFixed(2),
    'eligible/plan',
    (sink / 18 / jobs.length).toFixed(1),
  );
}
const fleet = new Fleet();
const techs = loadFleetFixture();
for (const t of techs) fleet.add(t);
time('on-demand', fleet, base);
const H = 3_600_000;
const appts = base.map((j, i) => ({
  ...j,
  window: { start: now + 24 * H + (i % 10) * H, end: now + 26 * H + (i % 10) * H, timeZone: 'Europe/Zurich' },
}));
time('appointment (no reservations)', fleet, appts);
const booked = new Fleet();
for (const t of techs) booked.add(t);
for (let i = 0; i < 300; i++) {
  const t = techs[(i * 5) % techs.length]!;
  booked.reserve(t.id, {
    jobId: `r${i}`,
    start: now + 24 * H + (i % 12) * H,
    end: now + 26 * H + (i % 12) * H,
    lat: t.lat,
    lon: t.lon,
  });
}
time('on-demand, 300 reservations in fleet', booked, base);
time('appointment, 300 reservations', booked, appts);
time(
  'direct booking (3 chosen)',
  fleet,
  base.map((j, i) => ({
    ...j,
    preferred: {
      technicianIds: [techs[i % 1500]!.id, techs[(i * 7 + 1) % 1500]!.id, techs[(i * 13 + 2) % 1500]!.id],
    },
  })),
);
