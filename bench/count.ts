/**
 * The program the instruction counter runs under Valgrind (see `./instructions.ts`): builds one
 * scenario exactly as the timing harness does, warms the method up, then calls it `calls` times
 * between two markers — `os.loadavg()` before and `os.uptime()` after, which reach libuv's
 * `uv_loadavg` and `uv_uptime` and nothing else in the process does — so that callgrind, told to
 * zero its counters before the first and dump them before the second, counts the measured calls
 * and nothing else: no Node start-up, no scenario build, no warm-up, no exit.
 *
 *   node --single-threaded --predictable --predictable-gc-schedule --expose-gc count.mjs <suite> <scenario> <method> <warmup> <calls>
 *
 * Prints one JSON line: the method's `opsPerCall`, how often an injected component ran (0 without
 * an injection, see `./inject.ts`), and the sink (keeps the results alive).
 */
import os from 'node:os';
import { injectedCalls } from './inject-runtime.js';
import { allSuites } from './runner.js';

const [suiteName, scenarioName, methodName, warmupArg, callsArg] = process.argv.slice(2);
const warmup = Number(warmupArg);
const calls = Number(callsArg);
if (!suiteName || !scenarioName || !methodName || !(warmup >= 0) || !(calls >= 1)) {
  process.stderr.write('usage: count.mjs <suite> <scenario> <method> <warmup calls> <measured calls ≥ 1>\n');
  process.exit(2);
}

const suite = (await allSuites()).find((s) => s.name === suiteName);
const def = suite?.scenarios.find((s) => s.name === scenarioName);
if (!def) {
  process.stderr.write(`count: unknown scenario ${suiteName}/${scenarioName}\n`);
  process.exit(2);
}

const method = def.build({ subjectOnly: true }).methods.find((m) => m.name === methodName);
if (!method) {
  process.stderr.write(`count: ${suiteName}/${scenarioName} has no method '${methodName}'\n`);
  process.exit(2);
}

const fn = method.fn;
const before = method.beforeEach;
let sink = 0;
const step = () => {
  before?.();
  const r = fn();
  sink += typeof r === 'number' ? r : 1;
};
for (let i = 0; i < warmup; i++) step();
// Collect the setup's garbage first, so the measured calls start from a compacted heap and pay only
// for their own garbage (a major GC of a 120 MB world heap costs ~10^8 instructions).
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const injectedBefore = injectedCalls();
os.loadavg(); // callgrind zeroes its counters here (--zero-before=uv_loadavg)
for (let i = 0; i < calls; i++) step();
os.uptime(); // … and dumps them here (--dump-before=uv_uptime)
process.stdout.write(
  `${JSON.stringify({ opsPerCall: method.opsPerCall ?? 1, injected: injectedCalls() - injectedBefore, sink: sink % 1e9 })}\n`,
);
