/**
 * Three replicas on one PostgreSQL database, as processes: the launcher migrates the schema and
 * forks three replicas; replica 0 opens the jobs, then all three accept every job at the same
 * moment, each for another of its notified technicians. One winner per job, whoever asks.
 *   eval "$(npm run -s db:start)" && npx tsx scripts/replicas.ts
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPolicy, Fleet, StoreDispatcher } from '../src/index.js';
import { dropSchema, migrate, PostgresStore } from '../src/postgres/index.js';

const JOBS = 20;
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('replicas: DATABASE_URL is unset; run `eval "$(npm run -s db:start)"` first.');
  process.exit(2);
}

function replicaDispatcher(pool: pg.Pool, prefix: string): StoreDispatcher {
  const fleet = new Fleet();
  for (let i = 0; i < 12; i++) {
    fleet.add({ id: `tech-${i}`, lat: 47.37 + i * 0.002, lon: 8.54, tier: 'friend', capacity: 3 });
  }
  return new StoreDispatcher({ store: new PostgresStore({ pool, prefix }), fleet, policy: createPolicy() });
}

if (process.env.REPLICA === undefined) {
  // The launcher.
  const prefix = `replicas_${process.pid}_`;
  const pool = new pg.Pool({ connectionString: url });
  await migrate(pool, { prefix });
  const replicas = [0, 1, 2].map((i) =>
    fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, REPLICA: String(i), PREFIX: prefix },
      execArgv: ['--import', 'tsx'],
    }),
  );
  const answers: { replica: number; jobId: string; technicianId: string; outcome: string }[] = [];
  await new Promise<void>((resolve) => {
    let opened = false;
    let done = 0;
    for (const r of replicas) {
      r.on('message', (m: { opened?: true; answers?: typeof answers }) => {
        if (m.opened && !opened) {
          opened = true;
          for (const x of replicas) x.send('accept'); // all three at once
        }
        if (m.answers) {
          answers.push(...m.answers);
          if (++done === replicas.length) resolve();
        }
      });
    }
  });
  const winners = new Map<string, string[]>();
  for (const a of answers) {
    if (a.outcome === 'assigned')
      winners.set(a.jobId, [...(winners.get(a.jobId) ?? []), `${a.technicianId}@${a.replica}`]);
  }
  for (const [jobId, w] of winners) console.log(`${jobId}: won by ${w.join(', ')}`);
  const double = [...winners.values()].filter((w) => w.length > 1).length;
  const tally: Record<string, number> = {};
  for (const a of answers) tally[a.outcome] = (tally[a.outcome] ?? 0) + 1;
  // The same few top-ranked technicians are offered every job; capacity 3 each caps the assignments.
  console.log(`answers: ${JSON.stringify(tally)}`);
  console.log(
    `${JOBS} jobs, ${answers.length} accepts from 3 replicas, ${winners.size} assigned, ${double} assigned twice`,
  );
  await dropSchema(pool, { prefix });
  await pool.end();
} else {
  // A replica.
  const me = Number(process.env.REPLICA);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const dispatcher = replicaDispatcher(pool, process.env.PREFIX!);
  const now = Date.now();
  if (me === 0) {
    for (let i = 0; i < JOBS; i++) await dispatcher.open({ id: `job-${i}`, lat: 47.38, lon: 8.54 }, now);
    process.send!({ opened: true });
  }
  process.on('message', async () => {
    const answers = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const jobId = `job-${i}`;
        const job = await dispatcher.store.get(jobId);
        const live = job!.state.offers.filter((o) => o.status === 'live');
        const technicianId = live[me % live.length]!.technicianId;
        const r = await dispatcher.accept(jobId, technicianId, Date.now(), `${jobId}/${technicianId}`);
        // Two replicas may pick the same technician (few running offers left): the second accept
        // retries the same request id and gets the same assignment back, marked as a repeat.
        const outcome = r.outcome === 'assigned' && r.repeated ? 'repeated' : r.outcome;
        return { replica: me, jobId, technicianId, outcome };
      }),
    );
    process.send!({ answers });
    await pool.end();
    process.exit(0);
  });
}
