/**
 * The grid commands: `sweep` (a grid of policy parameters on all cores, split into shards for a
 * batch system), `frontier` (the sweep placed on the fairness–speed frontier, Pareto-efficient
 * points named) and `merge` (shards back into the unsharded result, byte for byte).
 */
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'crowd-dispatch';
import { renderFrontierPage } from '../report/frontier.js';
import { frontierCsv, frontierPoints } from '../sim/frontier.js';
import { prepareOut, readJson, write } from '../sim/io.js';
import { checkLimit, checkScenarioLimits, type Limits } from '../sim/limits.js';
import { runPool } from '../sim/pool.js';
import { preset } from '../sim/presets.js';
import { parseScenario, type ScenarioInput } from '../sim/scenario.js';
import {
  basePolicy,
  expandSweep,
  parseShard,
  parseSweep,
  type SweepRow,
  shardPoints,
  sweepCsv,
} from '../sim/sweep.js';
import { limitOption, limitsOf, positiveInt, progress } from './options.js';

/** A sweep result file: which shard, how many points the whole grid has, the seeds and the rows. */
export interface SweepFile {
  shard: string;
  grid: number;
  seeds: number[];
  rows: SweepRow[];
}

function sweepJson(f: SweepFile): string {
  return `${JSON.stringify({ shard: f.shard, grid: f.grid, seeds: f.seeds, rows: f.rows }, null, 2)}\n`;
}

/**
 * Merges shard files of one sweep into the unsharded result: every shard of `n` exactly once,
 * the same grid and seeds, rows covering the grid exactly. Throws naming the file at fault.
 */
export function mergeShards(files: readonly { path: string; data: unknown }[]): SweepFile {
  if (files.length === 0) throw new InvalidArgumentError('merge: give the shard files to merge.');
  const parsed = files.map(({ path, data }) => {
    const d = data as Partial<SweepFile> | null;
    const m = typeof d?.shard === 'string' ? /^(\d+)\/(\d+)$/.exec(d.shard) : null;
    if (!d || !m || !Number.isInteger(d.grid) || !Array.isArray(d.seeds) || !Array.isArray(d.rows))
      throw new InvalidArgumentError(
        `merge: '${path}' is not a sweep result (expected { shard, grid, seeds, rows } from crowd-dispatch sweep).`,
      );
    return { path, index: Number(m[1]), count: Number(m[2]), file: d as SweepFile };
  });
  const first = parsed[0]!;
  for (const p of parsed) {
    if (p.count !== first.count)
      throw new InvalidArgumentError(
        `merge: '${p.path}' is shard ${p.file.shard} but '${first.path}' is of ${first.count}; merge shards of one split.`,
      );
    if (p.file.grid !== first.file.grid || JSON.stringify(p.file.seeds) !== JSON.stringify(first.file.seeds))
      throw new InvalidArgumentError(
        `merge: '${p.path}' has another grid or other seeds than '${first.path}'; merge shards of one sweep.`,
      );
  }
  const seen = new Map<number, string>();
  for (const p of parsed) {
    if (seen.has(p.index))
      throw new InvalidArgumentError(
        `merge: shard ${p.index}/${p.count} is given twice ('${seen.get(p.index)}' and '${p.path}').`,
      );
    seen.set(p.index, p.path);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new InvalidArgumentError(
      `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.count}`).join(', ')} missing; run and add ${missing.length > 1 ? 'them' : 'it'}.`,
    );
  const rows = parsed.flatMap((p) => p.file.rows).sort((a, b) => a.index - b.index);
  if (rows.length !== first.file.grid || rows.some((r, i) => r.index !== i))
    throw new InvalidArgumentError(
      `merge: the shards' rows do not cover the grid of ${first.file.grid} points exactly once; re-run the shards.`,
    );
  return { shard: '1/1', grid: first.file.grid, seeds: first.file.seeds, rows };
}

/** Adds `sweep`, `frontier` and `merge` to the program. */
export function sweepCommands(prog: Command): void {
  limitOption(prog.command('sweep'))
    .description('sweep policy parameters over a grid on all cores; split the grid with --shard i/n')
    .requiredOption(
      '--spec <file>',
      'sweep JSON: { base, parameters: { "weights.fairness": [0, 0.2] }, seeds, scenario }',
    )
    .option('--scenario <file>', 'scenario JSON file (overrides the spec)')
    .option('--shard <i/n>', 'run only shard i of n (1-based), e.g. 2/4')
    .option('--workers <n>', 'worker threads (default: all cores)', positiveInt)
    .option('--out <dir>', 'output directory', 'out/sweep')
    .option('-q, --quiet', 'no progress bar or file messages')
    .action(async (o) => {
      const { io, limits, spec, scenario } = sweepInput(o);
      basePolicy(spec);
      const shard = o.shard ? parseShard(o.shard) : { index: 0, count: 1 };
      const grid = expandSweep(spec);
      const points = shardPoints(grid, shard);
      checkLimit(limits, 'points', points.length, 'The sweep grid');
      const seeds = spec.seeds ?? [1];
      checkLimit(limits, 'seeds', seeds.length, 'The sweep field seeds');
      if (o.workers !== undefined) checkLimit(limits, 'workers', o.workers, '--workers');
      const workers = o.workers ?? Math.min(availableParallelism(), limits.workers);
      if (!io.quiet) {
        process.stderr.write(
          `${points.length} points × ${seeds.length} seeds on ${workers} worker threads\n`,
        );
      }
      const bar = progress(io, 'sweeping');
      const started = performance.now();
      let rows: Awaited<ReturnType<typeof runPool>>;
      try {
        rows = await runPool(scenario, points, seeds, { workers, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const tag = o.shard ? `-shard-${shard.index + 1}-of-${shard.count}` : '';
      const name = basename(o.spec).replace(/\.json$/, '');
      write(
        join(o.out, `${name}${tag}.json`),
        sweepJson({
          shard: o.shard ? `${shard.index + 1}/${shard.count}` : '1/1',
          grid: grid.length,
          seeds,
          rows,
        }),
        io,
      );
      write(join(o.out, `${name}${tag}.csv`), sweepCsv(rows), io);
      if (!io.quiet) process.stderr.write(`${rows.length} points in ${seconds.toFixed(1)} s\n`);
    });

  prog
    .command('merge')
    .description('merge the shard files of one sweep into the unsharded result (byte-identical)')
    .argument('<files...>', 'shard files written by sweep --shard i/n')
    .option('--out <dir>', 'output directory', 'out/sweep')
    .option('--name <name>', "output name (default: the shard files' name without -shard-i-of-n)")
    .option('-q, --quiet', 'no file messages')
    .action((files: string[], o) => {
      const io = { quiet: !!o.quiet };
      prepareOut(o.out);
      const merged = mergeShards(files.map((path) => ({ path, data: readJson(path, 'shard') })));
      const name = o.name ?? basename(files[0]!).replace(/-shard-\d+-of-\d+\.json$|\.json$/, '');
      write(join(o.out, `${name}.json`), sweepJson(merged), io);
      write(join(o.out, `${name}.csv`), sweepCsv(merged.rows), io);
    });

  limitOption(prog.command('frontier'))
    .description(
      'sweep policy parameters and place every point on the fairness–speed frontier (Pareto-efficient points named)',
    )
    .requiredOption('--spec <file>', 'sweep JSON, as for sweep')
    .option('--scenario <file>', 'scenario JSON file (overrides the spec)')
    .option('--references <list>', 'presets run as reference points', 'today')
    .option('--workers <n>', 'worker threads (default: all cores)', positiveInt)
    .option('--out <dir>', 'output directory', 'out/frontier')
    .option('-q, --quiet', 'no progress bar or file messages')
    .action(async (o) => {
      const { io, limits, spec, scenario } = sweepInput(o);
      const grid = expandSweep(spec);
      const refs = (o.references as string)
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      // References run as extra points after the grid, so one pool serves both.
      const points = [
        ...grid,
        ...refs.map((name, k) => ({ index: grid.length + k, params: {}, policy: preset(name).policy })),
      ];
      checkLimit(limits, 'points', points.length, 'The frontier grid');
      const seeds = spec.seeds ?? [1];
      checkLimit(limits, 'seeds', seeds.length, 'The sweep field seeds');
      if (o.workers !== undefined) checkLimit(limits, 'workers', o.workers, '--workers');
      const workers = o.workers ?? Math.min(availableParallelism(), limits.workers);
      const bar = progress(io, 'frontier');
      let rows: SweepRow[];
      try {
        rows = await runPool(scenario, points, seeds, { workers, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      const frontier = frontierPoints(
        rows.slice(0, grid.length),
        refs.map((name, k) => ({ name, row: rows[grid.length + k]! })),
      );
      const name = basename(o.spec).replace(/\.json$/, '');
      write(
        join(o.out, `${name}-frontier.json`),
        `${JSON.stringify({ seeds, points: frontier }, null, 2)}\n`,
        io,
      );
      write(join(o.out, `${name}-frontier.csv`), frontierCsv(frontier), io);
      const html = await renderFrontierPage(frontier, {
        notes: [`Produced by: crowd-dispatch frontier --spec ${o.spec}`],
      });
      write(join(o.out, `${name}-frontier.html`), html, io);
      const efficient = frontier.filter((p) => p.efficient && !p.reference);
      if (!io.quiet)
        process.stderr.write(
          `${efficient.length} of ${grid.length} points are Pareto-efficient: ${efficient.map((p) => p.name).join(', ')}\n`,
        );
    });
}

/**
 * What `sweep` and `frontier` read first: the output directory (checked before any work), the
 * spec, the scenario and the limits — the scenario checked against them before a worker starts.
 */
function sweepInput(o: { quiet?: boolean; out: string; spec: string; scenario?: string; limit?: Limits }) {
  const io = { quiet: !!o.quiet };
  const limits = limitsOf(o);
  prepareOut(o.out);
  const spec = parseSweep(readJson(o.spec, 'sweep'));
  const scenario = (o.scenario ? readJson(o.scenario, 'scenario') : (spec.scenario ?? {})) as ScenarioInput;
  checkScenarioLimits(parseScenario(scenario), limits);
  return { io, limits, spec, scenario };
}
