/**
 * The instruction gate's injected slowdown: the code under test really does `share` more work.
 */

/** Results of the repeated calls, kept reachable against dead-code elimination. */
export let repeatSink: unknown;

/**
 * Wraps `fn` so that, over many calls, it runs `1 + share` times as often: with `share` 0.25 every
 * fourth call runs the wrapped function twice. Deterministic (no clock), so an instruction count
 * grows by exactly that share of the method's own cost — the gate's self-test can rely on it.
 * @example
 * const slower = withRepeat(() => plan(job), 0.25); // 25 % more planning work per call, on average
 */
export function withRepeat<T>(fn: () => T, share: number): () => T {
  if (!(share >= 0 && Number.isFinite(share))) {
    throw new RangeError(`slowdown share is ${share}; pass a number ≥ 0 such as 0.25 (25 % more work).`);
  }
  if (share === 0) return fn;
  const whole = Math.floor(share);
  const part = share - whole;
  let owed = 0;
  return () => {
    let extra = whole;
    owed += part;
    if (owed >= 1 - 1e-9) {
      owed -= 1;
      extra++;
    }
    // Each extra result escapes to a module variable, so the optimiser cannot treat the repeated
    // call's result as dead (a precaution: with the planner it changed no count).
    for (let k = 0; k < extra; k++) repeatSink = fn();
    return fn();
  };
}
