/**
 * The runtime half of the instruction gate's injected slowdown (see `./inject.ts`): the work an
 * injected wrapper adds, and how often it ran. Only the counting bundle built with an injection
 * calls {@link burn}; the library never imports this module.
 */

let calls = 0;
let acc = 0;

/** Times an injected wrapper has run in this process. */
export function injectedCalls(): number {
  return calls;
}

/** Escapes the burnt value so the optimiser cannot drop the loop. */
export let burnSink = 0;

/**
 * Does `units` iterations of integer arithmetic the optimiser cannot remove: the extra work an
 * injected regression adds to each call of the component it wraps.
 * @example
 * burn(100); // ~500 more instructions
 */
export function burn(units: number): void {
  calls++;
  let x = acc;
  for (let i = 0; i < units; i++) x = (Math.imul(x, 31) + i) | 0;
  acc = x;
  burnSink = x;
}
