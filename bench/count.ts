/**
 * The program the instruction counter runs under Valgrind (see `./instructions.ts`): builds one
 * scenario exactly as the timing harness does, then calls one method `warmup + calls` times with
 * nothing else in between — no timer, no sampling — so that the instructions of two runs that
 * differ only in `calls` differ only by the cost of those calls.
 *
 *   node --single-threaded --predictable --predictable-gc-schedule count.mjs <suite> <scenario> <method> <warmup> <calls> [slowdown]
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
const total = warmup + calls;
for (let i = 0; i < total; i++) {
  before?.();
  const r = fn();
  sink += typeof r === 'number' ? r : 1;
}
process.stdout.write(`${JSON.stringify({ opsPerCall: method.opsPerCall ?? 1, sink: sink % 1e9 })}\n`);
