/**
 * The program the instruction counter runs under Valgrind (see `./instructions.ts`): builds one
 * scenario exactly as the timing harness does, then calls one method `warmup + calls` times with
 * nothing else in between — no timer, no sampling — so that the instructions of two runs that
 * differ only in `calls` differ only by the cost of those calls.
 *
 *   node --single-threaded --predictable --predictable-gc-schedule --expose-gc count.mjs <suite> <scenario> <method> <warmup> <calls> [slowdown]
 *
 * Prints one JSON line: the method's `opsPerCall` and the sink (keeps the results alive).
 */
import { withRepeat } from './repeat.js';
import { allSuites } from './runner.js';

const [suiteName, scenarioName, methodName, warmupArg, callsArg, slowdownArg] = process.argv.slice(2);
const warmup = Number(warmupArg);
const calls = Number(callsArg);
const slowdown = slowdownArg === undefined ? 0 : Number(slowdownArg);
if (!suiteName || !scenarioName || !methodName || !(warmup >= 0) || !(calls >= 0) || !(slowdown >= 0)) {
  process.stderr.write(
    'usage: count.mjs <suite> <scenario> <method> <warmup calls> <measured calls> [slowdown share]\n',
  );
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

const fn = withRepeat(method.fn, slowdown);
const before = method.beforeEach;
let sink = 0;
const step = () => {
  before?.();
  const r = fn();
  sink += typeof r === 'number' ? r : 1;
};
for (let i = 0; i < warmup; i++) step();
// Both processes collect everything here, so the measured calls start from the same compacted heap
// and pay only for their own garbage: a major GC of a 120 MB world heap costs ~10^8 instructions,
// and whether setup garbage tips one into the window must not decide a figure.
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
for (let i = 0; i < calls; i++) step();
process.stdout.write(`${JSON.stringify({ opsPerCall: method.opsPerCall ?? 1, sink: sink % 1e9 })}\n`);
