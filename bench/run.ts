/**
 * `npm run bench` — runs the benchmark suites, prints a Markdown table and writes the JSON report.
 *
 *   npm run bench                                   # full mode, every suite
 *   npm run bench -- --quick                        # the CI preset
 *   npm run bench -- --suite plan --scenario ch-1500
 *   npm run bench:baseline                          # quick mode into bench/baseline.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { markdownReport } from './report.js';
import { medianOfRuns, runBench } from './runner.js';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return n;
};
const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];

const program = new Command('bench')
  .description('crowd-dispatch benchmark harness: plan, fleet, dispatch and simulator suites')
  .option('--suite <names>', 'suites to run, comma-separated or repeated (default: all)', list)
  .option('--scenario <names>', 'scenarios to run, e.g. ch-1500,world-100k (default: all of the mode)', list)
  .addOption(
    new Option('--quick', 'CI preset: fewer, shorter rounds; world-1m skipped unless named').conflicts(
      'full',
    ),
  )
  .option('--full', 'full preset (the default)')
  .option('--rounds <n>', 'rounds per scenario (overrides the preset)', positiveInt)
  .option('--time <ms>', 'time budget per method per round, ms (overrides the preset)', positiveInt)
  .option('--out <file>', 'JSON report path', 'bench/results/latest.json')
  .option('--markdown <file>', 'also write the Markdown table to this file')
  .option('--silent', 'no progress lines on stderr')
  .option(
    '--repeat <n>',
    'run everything n times and report the median of each ratio (baselines)',
    positiveInt,
    1,
  );

program.parse();
const o = program.opts<{
  suite?: string[];
  scenario?: string[];
  quick?: boolean;
  rounds?: number;
  time?: number;
  out: string;
  markdown?: string;
  silent?: boolean;
  repeat: number;
}>();

const options = {
  mode: (o.quick ? 'quick' : 'full') as 'quick' | 'full',
  suites: o.suite ?? [],
  scenarios: o.scenario ?? [],
  settings: {
    ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
    ...(o.time !== undefined ? { timeMs: o.time } : {}),
  },
  onProgress: o.silent ? undefined : (msg: string) => process.stderr.write(`${msg}\n`),
};
const runs = [];
for (let i = 0; i < o.repeat; i++) {
  if (o.repeat > 1) process.stderr.write(`run ${i + 1} of ${o.repeat}\n`);
  runs.push(await runBench(options));
}
// A baseline made of several runs: each ratio is the median over the runs, so one lucky or unlucky
// process does not set the bar for every later check.
const report = medianOfRuns(runs);
const md = markdownReport(report);
process.stdout.write(md);
mkdirSync(dirname(o.out), { recursive: true });
writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
if (o.markdown) writeFileSync(o.markdown, md);
process.stderr.write(`report written to ${o.out}\n`);
// The PostgreSQL accept suite times another process (the server) on the wall clock, so it reports
// its own table beside the report rather than in it; it skips, saying so, without DATABASE_URL.
// Alone: npm run bench:postgres.
if (o.suite === undefined) {
  const { printPostgresBench } = await import('./suites/postgres.js');
  await printPostgresBench();
}
