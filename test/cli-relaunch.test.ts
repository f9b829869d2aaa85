/**
 * The CLI's relaunch with `--single-threaded-gc` for commands that run worker threads: it runs
 * the same script with the flag once, returns the child's exit code, and stays out of the way for
 * other commands, when the flag is there already, or when parallel GC is asked for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaunchForWorkers } from '../src/cli/relaunch.js';

const dir = mkdtempSync(join(tmpdir(), 'relaunch-'));
const script = join(dir, 'probe.mjs');
// Exits 42 when started with the flag and the command line intact, 3 otherwise.
writeFileSync(
  script,
  `process.exit(process.execArgv.includes('--single-threaded-gc') && process.argv[2] === 'sweep' && process.argv[3] === '--spec' ? 42 : 3);\n`,
);

describe('relaunchForWorkers', () => {
  it.skipIf(availableParallelism() < 2)(
    'relaunches a pooled command once with the flag and returns its exit code',
    () => {
      expect(relaunchForWorkers([process.execPath, script, 'sweep', '--spec', 'x.json'], [], {})).toBe(42);
      expect(relaunchForWorkers([process.execPath, script, 'compare'], [], {})).toBe(3);
    },
  );

  it('does not relaunch other commands, a process that has the flag, or when parallel GC is asked for', () => {
    expect(relaunchForWorkers([process.execPath, script, 'run'], [], {})).toBeUndefined();
    expect(relaunchForWorkers([process.execPath, script, 'merge'], [], {})).toBeUndefined();
    expect(
      relaunchForWorkers([process.execPath, script, 'sweep'], ['--single-threaded-gc'], {}),
    ).toBeUndefined();
    expect(
      relaunchForWorkers([process.execPath, script, 'sweep'], [], { CROWD_DISPATCH_PARALLEL_GC: '1' }),
    ).toBeUndefined();
  });
});
