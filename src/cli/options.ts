/**
 * Pieces the command-line commands share: the progress bar (only on a terminal), argument parsers
 * that raise commander's one-line argument errors, and the `--limit` option.
 */
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { DEFAULT_LIMITS, type Limits, parseLimits } from '../sim/limits.js';

/** What the commands print besides their files. */
export interface Io {
  quiet: boolean;
}

export function progress(io: Io, label: string): { update(done: number, total: number): void; stop(): void } {
  if (io.quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {step} | ETA {eta}s`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(done, total) {
      // Work is counted in hundredths, so a single long run still moves the bar.
      if (!started) {
        bar.start(total * 100, 0, { step: '' });
        started = true;
      }
      bar.update(Math.round(done * 100), { step: `run ${Math.min(total, Math.floor(done) + 1)}/${total}` });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function limitsOf(o: { limit?: Limits }): Limits {
  return o.limit ?? { ...DEFAULT_LIMITS };
}

export function parseLimitOption(text: string, previous: Limits | undefined): Limits {
  try {
    return parseLimits(text, previous ?? DEFAULT_LIMITS);
  } catch (e) {
    throw new CommanderArgError((e as Error).message);
  }
}

export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new CommanderArgError(`seeds '${text}': give whole numbers ≥ 0 separated by commas, e.g. 1,2,3.`);
  }
  return seeds;
}

export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CommanderArgError(`'${text}' is not a whole number ≥ 1.`);
  return n;
}

export function positiveNumber(text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new CommanderArgError(`'${text}' is not a number > 0.`);
  return n;
}

export function limitOption(cmd: Command): Command {
  return cmd.option(
    '--limit <name=value,…>',
    `raise a work limit (${Object.entries(DEFAULT_LIMITS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')})`,
    parseLimitOption,
  );
}
