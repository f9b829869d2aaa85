/**
 * Heap of the dispatcher with default options while 1,000,000 jobs go through it (run by hand,
 * not in `npm test`): each job opens, is accepted by the first technician notified (with a request
 * id), completes; `advance` runs every job and time moves 1 s per job, so closed jobs are forgotten
 * after the default hour. Prints the heap after a full GC every 100,000 jobs.
 *
 *   node --expose-gc --import tsx bench/memory-dispatch.ts [jobs]
 */
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { Fleet } from '../src/fleet/fleet.js';
import { createPolicy } from '../src/plan/policy.js';
import { createRng } from '../src/shared/random.js';

const jobs = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const rng = createRng(7);
const fleet = new Fleet();
for (let i = 0; i < 300; i++) {
  fleet.add({
    id: `t${i}`,
    lat: 47.37 + (rng.next() - 0.5) * 0.2,
    lon: 8.54 + (rng.next() - 0.5) * 0.3,
    tier: 'friend',
    radiusKm: 30,
    capacity: 1000,
  });
}
const policy = createPolicy({ notificationCap: null });
const d = new Dispatcher({ fleet, policy });
const T0 = 1_700_000_000_000;
const rows: { jobs: number; heapMB: number; known: number; logged: number }[] = [];
const started = process.hrtime.bigint();
for (let i = 0; i < jobs; i++) {
  const now = T0 + i * 1_000;
  d.advance(now);
  const effects = d.open(
    { id: `j${i}`, lat: 47.37 + (rng.next() - 0.5) * 0.1, lon: 8.54 + (rng.next() - 0.5) * 0.1 },
    now,
  );
  const first = effects.find((e) => e.type === 'notify');
  if (first?.type === 'notify') {
    const r = d.accept(`j${i}`, first.technicianIds[0]!, now + 500, `r${i}`);
    if (r.outcome === 'assigned') d.complete(`j${i}`, now + 900);
  }
  if ((i + 1) % 100_000 === 0) {
    gc();
    const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
    rows.push({
      jobs: i + 1,
      heapMB: Math.round(heapMB * 10) / 10,
      known: d.size,
      logged: d.eventLog().length,
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ jobs, seconds: Math.round(seconds), events: d.lastSeq, rows }));
