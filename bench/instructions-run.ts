/**
 * `npm run bench:instructions` — counts instructions per operation of the gated methods under
 * Valgrind, prints a table and writes the report; `npm run bench:baseline:instructions` writes it to
 * `bench/baseline.instructions.json`, the baseline of the blocking CI gate.
 *
 *   npm run bench:instructions -- --only plan/ch-1500
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { injectionFromEnv, injectionLabel } from './inject.js';
import { COUNT_TARGETS, countInstructions } from './instructions.js';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];

const program = new Command('bench:instructions')
  .description('count instructions per operation of the gated benchmark methods under valgrind')
  .option('--only <targets>', 'suite/scenario pairs to count, comma-separated (default: all)', list)
  .option('--out <file>', 'JSON report path', 'bench/results/instructions.json')
  .option('--repeats <n>', 'processes per target, least count kept', (v) => Number(v), 2);
program.parse();
const o = program.opts<{ only?: string[]; out: string; repeats: number }>();

const targets = o.only
  ? COUNT_TARGETS.filter((t) => o.only!.includes(`${t.suite}/${t.scenario}`))
  : COUNT_TARGETS;
if (targets.length === 0) {
  process.stderr.write(
    `bench:instructions: --only matched nothing; choose from ${COUNT_TARGETS.map((t) => `${t.suite}/${t.scenario}`).join(', ')}.\n`,
  );
  process.exit(2);
}
try {
  const report = await countInstructions(targets, {
    injection: injectionFromEnv(),
    repeats: o.repeats,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  const lines = [
    `Instructions per operation (valgrind callgrind, measured calls only, Node ${report.environment.node}, ${report.environment.valgrind})${report.injection ? ` — ${injectionLabel(report.injection)}` : ''}`,
    '',
    '| suite | scenario | method | calls counted | instructions / op |',
    '| --- | --- | --- | ---: | ---: |',
    ...report.results.map(
      (r) =>
        `| ${r.suite} | ${r.scenario} | ${r.method} | ${r.calls} × ${r.opsPerCall} | ${Math.round(r.instructionsPerOp).toLocaleString('en-US')} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`report written to ${o.out}\n`);
} catch (e) {
  process.stderr.write(`bench:instructions: ${(e as Error).message}\n`);
  process.exit(2);
}
