#!/usr/bin/env node
/**
 * The `crowd-dispatch` command line: `simulate`, `compare`, `sweep` and `demo`. The only module
 * that touches the process, files and the terminal; everything it runs is the library.
 */
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CrowdDispatchError, InvalidArgumentError } from 'crowd-dispatch';
import pkg from '../packages/crowd-dispatch-sim/package.json' with { type: 'json' };
import {
  type Io,
  limitOption,
  limitsOf,
  parseSeeds,
  positiveInt,
  positiveNumber,
  progress,
} from './cli/options.js';
import { relaunchForWorkers } from './cli/relaunch.js';
import { sweepCommands } from './cli/sweep-commands.js';
import { markdownTable, renderCharts, renderReport } from './report/html.js';
import { type Comparison, compare, type NamedPolicy } from './sim/compare.js';
import { comparisonCsv, exportFiles, runsCsv } from './sim/export.js';
import { parseFleetCsv, parseFleetGeoJson, parseJobHistory } from './sim/input.js';
import { prepareOut, readJson, readText, write } from './sim/io.js';
import { checkLimit, checkScenarioLimits, type Limits } from './sim/limits.js';
import { compareParallel } from './sim/pool.js';
import { PRESETS, parsePolicyFile, preset } from './sim/presets.js';
import { parseScenario, type Scenario, type ScenarioInput } from './sim/scenario.js';

/** Technicians from CSV (`.csv`), a JSON array of technicians, or a GeoJSON FeatureCollection of points. */
function readFleet(path: string): unknown[] {
  if (/\.csv$/i.test(path)) return parseFleetCsv(readText(path, 'fleet'), path);
  const data = readJson(path, 'fleet');
  return Array.isArray(data) ? data : parseFleetGeoJson(data, path);
}

interface ScenarioCliOptions {
  scenario?: string;
  fleet?: string;
  jobs?: string;
  days?: number;
  jobsPerDay?: number;
}

function loadScenario(opts: ScenarioCliOptions): Scenario {
  const input = (opts.scenario ? readJson(opts.scenario, 'scenario') : {}) as ScenarioInput &
    Record<string, unknown>;
  const merged: Record<string, unknown> = { ...input };
  if (opts.fleet) merged.fleet = { ...((input.fleet as object) ?? {}), technicians: readFleet(opts.fleet) };
  if (opts.jobs) {
    if (opts.jobsPerDay !== undefined)
      throw new InvalidArgumentError(
        '--jobs replays a job history; drop --jobs-per-day (it sets synthetic demand).',
      );
    const format = /\.jsonl?$/i.test(opts.jobs) || /\.ndjson$/i.test(opts.jobs) ? 'jsonl' : 'csv';
    const h = parseJobHistory(readText(opts.jobs, 'job history'), format, opts.jobs);
    merged.history = h.history;
    // Reports and exports name the replay after its file unless the scenario names it.
    if (input.name === undefined) merged.name = basename(opts.jobs).replace(/\.(csv|jsonl?|ndjson)$/i, '');
    merged.days = h.days;
    merged.startWeekday = h.startWeekday;
  }
  if (opts.days !== undefined) merged.days = opts.days;
  if (opts.jobsPerDay !== undefined)
    merged.demand = { ...((input.demand as object) ?? {}), jobsPerDay: opts.jobsPerDay };
  return parseScenario(merged);
}

function loadPolicy(ref: string): NamedPolicy & { description?: string } {
  if (PRESETS[ref])
    return { name: ref, policy: PRESETS[ref]!.policy, description: PRESETS[ref]!.description ?? '' };
  if (!ref.endsWith('.json')) preset(ref); // throws, listing the presets
  const file = parsePolicyFile(readJson(ref, 'policy'));
  return { name: file.name, policy: file.policy, description: file.description ?? '' };
}

interface CompareCliOptions extends ScenarioCliOptions {
  policies: string;
  export?: string;
  seeds?: number[];
  replications?: number;
  out: string;
  report: boolean;
  json: boolean;
  csv: boolean;
  svg?: boolean;
  title?: string;
  workers?: number;
  limit?: Limits;
}

async function runCompare(opts: CompareCliOptions, io: Io, command: string): Promise<Comparison> {
  const limits = limitsOf(opts);
  prepareOut(opts.out);
  if (opts.export) prepareOut(opts.export);
  const scenario = loadScenario(opts);
  checkScenarioLimits(scenario, limits);
  const policies = opts.policies.split(',').map((p) => loadPolicy(p.trim()));
  const names = new Set(policies.map((p) => p.name));
  if (names.size !== policies.length) {
    throw new InvalidArgumentError(
      'Two policies have the same name; give each policy file a distinct "name".',
    );
  }
  checkLimit(limits, 'seeds', opts.seeds?.length ?? opts.replications ?? 1, '--seeds/--replications');
  if (opts.workers !== undefined) checkLimit(limits, 'workers', opts.workers, '--workers');
  const seeds = opts.seeds ?? Array.from({ length: opts.replications ?? 1 }, (_, i) => i + 1);
  const bar = progress(io, 'simulating');
  const detail = opts.report || !!opts.svg;
  const records = opts.export !== undefined;
  const runs = seeds.length * policies.length;
  // In-thread by default: worker start-up (and, from source, TypeScript loading) only pays off for
  // long runs on an otherwise idle machine.
  const workers = Math.min(opts.workers ?? 1, runs);
  let c: Comparison;
  try {
    const onProgress = (d: number, t: number) => bar.update(d, t);
    // Worker threads give the same runs and the same aggregation: the output is byte-identical.
    c =
      workers > 1
        ? await compareParallel(scenario, policies, { seeds, detail, records, workers, onProgress })
        : compare(scenario, policies, { seeds, detail, records, onProgress });
  } finally {
    bar.stop();
  }
  if (opts.json)
    write(
      join(opts.out, 'comparison.json'),
      `${JSON.stringify({ ...c, detail: undefined, records: undefined }, null, 2)}\n`,
      io,
    );
  if (opts.export) {
    for (const [name, text] of Object.entries(exportFiles(c.records ?? [])))
      write(join(opts.export, name), text, io);
  }
  if (opts.csv) {
    write(join(opts.out, 'runs.csv'), runsCsv(c), io);
    write(join(opts.out, 'comparison.csv'), comparisonCsv(c), io);
  }
  if (opts.report) {
    const html = await renderReport(c, {
      cities: scenario.cities,
      ...(opts.title ? { title: opts.title } : {}),
      descriptions: Object.fromEntries(policies.map((p) => [p.name, p.description ?? ''])),
      notes: [`Produced by: crowd-dispatch ${command}`],
    });
    write(join(opts.out, 'report.html'), html, io);
  }
  if (opts.svg) {
    for (const chart of await renderCharts(c, scenario.cities))
      write(join(opts.out, `${chart.id}.svg`), chart.svg, io);
  }
  process.stdout.write(`${markdownTable(c)}\n`);
  return c;
}

function scenarioOptions(cmd: Command): Command {
  return limitOption(cmd)
    .option(
      '--workers <n>',
      'run policies × seeds on n worker threads (same output; default 1 = this thread)',
      positiveInt,
    )
    .option(
      '--scenario <file>',
      'scenario JSON file (default: the built-in Swiss week, scenarios/ch-week.json)',
    )
    .option(
      '--fleet <file>',
      'technicians from CSV (.csv), a JSON array or a GeoJSON FeatureCollection of points',
    )
    .option('--jobs <file>', 'replay a job history (CSV, or JSON Lines .jsonl) in place of synthetic demand')
    .option('--days <n>', 'override the simulated days', positiveNumber)
    .option('--jobs-per-day <n>', 'override the demand', positiveNumber);
}

function outputOptions(cmd: Command, defaultOut: string): Command {
  return cmd
    .option('--out <dir>', 'output directory', defaultOut)
    .option('--no-json', 'do not write JSON')
    .option('--no-csv', 'do not write CSV')
    .option('--no-report', 'do not write the HTML report')
    .option('--svg', 'also write each chart as its own SVG file')
    .option('--export <dir>', 'write per-job, per-technician and timeline CSV/JSON Lines and GeoJSON to dir')
    .option('--title <text>', 'report title')
    .option('-q, --quiet', 'no progress bar or file messages');
}

/** Builds the command-line program (exported for tests). */
export function program(): Command {
  // Argument errors become one line and exit code 2 (in main); settings are inherited by subcommands.
  const prog = new Command('crowd-dispatch')
    .description('Simulate and compare dispatch policies for an on-demand technician crowd.')
    .version(pkg.version, '-V, --version', 'print the version of crowd-dispatch')
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  outputOptions(
    scenarioOptions(
      prog
        .command('simulate')
        .description(
          'simulate one policy on a scenario (one or more seeds) and write JSON, CSV and a report',
        ),
    ),
    'out/simulate',
  )
    .option(
      '--policy <name|file>',
      `a preset (${Object.keys(PRESETS).join(', ')}) or a policy JSON file`,
      'today',
    )
    .option('--seed <n>', 'seed of the random streams', (s) => parseSeeds(s)[0]!, 1)
    .action(async (o) => {
      await runCompare(
        { ...o, policies: o.policy, seeds: [o.seed] },
        { quiet: !!o.quiet },
        `simulate --policy ${o.policy}`,
      );
    });

  outputOptions(
    scenarioOptions(
      prog
        .command('compare')
        .description(
          'compare policies on the same scenario and random numbers, over several seeds, with 95 % intervals',
        ),
    ),
    'out/compare',
  )
    .option(
      '--policies <list>',
      'comma-separated presets or policy files',
      'today,ranked-waves,best-friend-boost,fairness-aware',
    )
    .addOption(
      new Option('--seeds <list>', 'comma-separated seeds, e.g. 1,2,3')
        .argParser(parseSeeds)
        .conflicts('replications'),
    )
    .option('--replications <n>', 'seeds 1…n', positiveInt)
    .action(async (o) => {
      await runCompare(o, { quiet: !!o.quiet }, `compare --policies ${o.policies}`);
    });

  prog
    .command('demo')
    .description(
      'the default Swiss week under today, best-friend-boost and fairness-aware (5 seeds); writes out/demo/report.html',
    )
    .option('--out <dir>', 'output directory', 'out/demo')
    .option('--workers <n>', 'worker threads (default 2, or 1 on a one-core machine)', positiveInt)
    .option('-q, --quiet', 'no progress bar or file messages')
    .action(async (o) => {
      await runCompare(
        {
          policies: 'today,best-friend-boost,fairness-aware',
          // Five seeds: enough for intervals and bands (three is the minimum shown).
          seeds: [1, 2, 3, 4, 5],
          // Two threads by default: the same bytes, sooner (the demo must finish within a minute).
          workers: o.workers ?? Math.min(2, availableParallelism()),
          out: o.out,
          report: true,
          json: true,
          csv: true,
          title: 'crowd-dispatch: the default Swiss week under three policies',
        },
        { quiet: !!o.quiet },
        'demo',
      );
    });

  sweepCommands(prog);
  return prog;
}

export { relaunchForWorkers };

/** Runs the CLI; bad input exits with code 2 and a message that says what to fix. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
  try {
    await program().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; help shown for a missing command has been printed already.
      if (error.exitCode !== 0 && error.code !== 'commander.help') {
        process.stderr.write(
          `crowd-dispatch: ${oneLine(error.message.replace(/^error: /, ''))} (see --help)\n`,
        );
      }
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof CrowdDispatchError) {
      process.stderr.write(`crowd-dispatch: ${oneLine(error.message)}\n`);
      process.exitCode = 2;
      return;
    }
    const e = error as Error;
    process.stderr.write(
      `crowd-dispatch: unexpected error: ${oneLine(String(e?.message ?? e))} (a bug: please report it with the command line)\n`,
    );
    process.exitCode = 1;
  }
}

const entry = process.argv[1] ? resolve(process.argv[1]) : '';
// Run directly (`tsx src/cli.ts`, `node dist/cli.js`); the package's bin imports it and calls main().
if (entry && (import.meta.url === `file://${entry}` || /[\\/]cli\.(ts|js)$/.test(entry))) {
  const code = relaunchForWorkers();
  if (code === undefined) await main();
  else process.exitCode = code;
}
