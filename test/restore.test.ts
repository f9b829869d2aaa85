/**
 * Nothing read back is trusted: every corruption of a snapshot or an event log — a field changed,
 * removed or added, a session duplicated, events dropped, reordered or rewritten — is refused with
 * InvalidRecordError naming a path, and a refused replay leaves an existing dispatcher untouched.
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { DispatchEvent, DispatcherSnapshot } from '../src/dispatch/event-types.js';
import { InvalidRecordError } from '../src/shared/errors.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';

function busy() {
  const policy = fastPolicy();
  const d = new Dispatcher({ fleet: makeFleet(20), policy, retainClosedMs: 500_000 });
  const a = notified(d.open(job('a'), T0));
  d.open(job('b', { partner: 'swisscom' }), T0 + 1_000);
  d.open(job('c', { maxRadiusKm: 3 }), T0 + 2_000);
  d.open(job('e'), T0 + 2_500);
  d.decline('a', a[0]!, T0 + 3_000);
  d.advance(T0 + 12_000);
  d.accept('a', a[1]!, T0 + 13_000, 'req');
  d.cancel('c', T0 + 14_000);
  d.advance(T0 + 200_000);
  return { d, policy };
}

/** Every (path, container, key) of leaves and objects in a JSON value. */
function* slots(v: unknown, path = ''): Generator<[string, Record<string, unknown>, string]> {
  if (v === null || typeof v !== 'object') return;
  for (const k of Object.keys(v)) {
    yield [`${path}.${k}`, v as Record<string, unknown>, k];
    yield* slots((v as Record<string, unknown>)[k], `${path}.${k}`);
  }
}

const REPLACEMENTS: unknown[] = ['soon', null, -1, 1e20, 0.5, true, [], {}, 'x'];

function corruptions<T>(original: T): { what: string; value: T }[] {
  const out: { what: string; value: T }[] = [];
  const text = JSON.stringify(original);
  const count = [...slots(JSON.parse(text))].length;
  for (let i = 0; i < count; i++) {
    for (const r of [...REPLACEMENTS, 'delete', 'extra']) {
      const copy = JSON.parse(text);
      const [path, obj, key] = [...slots(copy)][i]!;
      if (r === 'delete') {
        if (Array.isArray(obj)) continue;
        delete obj[key];
      } else if (r === 'extra') {
        if (Array.isArray(obj)) continue;
        obj[`${key}X`] = 1;
      } else obj[key] = r;
      if (JSON.stringify(copy) !== text) out.push({ what: `${path} := ${JSON.stringify(r)}`, value: copy });
    }
  }
  return out;
}

describe('restore refuses every corrupted snapshot', () => {
  it('each field changed, removed or added, and duplicated sessions, is an InvalidRecordError with a path', () => {
    const { d, policy } = busy();
    const snap = d.snapshot();
    const cases = corruptions(snap);
    const dup = structuredClone(snap);
    dup.sessions.push(structuredClone(dup.sessions[0]!));
    cases.push({ what: 'duplicated session', value: dup });
    let rejected = 0;
    let bySchema = 0;
    for (const c of cases) {
      let error: unknown;
      try {
        Dispatcher.restore(c.value as DispatcherSnapshot, { fleet: d.fleet, policy });
      } catch (e) {
        error = e;
      }
      expect(error, c.what).toBeInstanceOf(InvalidRecordError);
      expect((error as InvalidRecordError).path, c.what).toBeTypeOf('string');
      rejected++;
      if ((error as InvalidRecordError).path !== 'digest') bySchema++;
    }
    expect(Dispatcher.restore(snap, { fleet: d.fleet, policy }).snapshot()).toEqual(snap);
    console.log(
      `corrupted snapshots rejected: ${rejected} of ${cases.length} (${bySchema} by the schema, the rest by the digest)`,
    );
  });
});

describe('replay refuses every corrupted log', () => {
  it('edited, dropped, reordered, duplicated events are refused; the dispatcher is left as it was', () => {
    const { d, policy } = busy();
    const log: DispatchEvent[] = JSON.parse(JSON.stringify(d.eventLog()));
    const cases = corruptions(log);
    for (let i = 0; i < log.length; i++) {
      // Dropping the last event leaves a valid shorter log: a chain cannot tell (see docs/reliability.md).
      if (i + 1 < log.length) cases.push({ what: `drop [${i}]`, value: log.filter((_, j) => j !== i) });
      cases.push({ what: `duplicate [${i}]`, value: [...log.slice(0, i + 1), log[i]!, ...log.slice(i + 1)] });
      if (i + 1 < log.length) {
        const swapped = log.slice();
        [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        cases.push({ what: `swap [${i}]`, value: swapped });
      }
    }
    // Half the log applied to a dispatcher that then meets a corrupted tail: nothing changes.
    const half = Math.floor(log.length / 2);
    const target = Dispatcher.replay(log.slice(0, half), { fleet: d.fleet, policy, retainClosedMs: 500_000 });
    const before = JSON.stringify(target.snapshot());
    let rejected = 0;
    let bySchema = 0;
    let tails = 0;
    for (const c of cases) {
      let error: unknown;
      try {
        Dispatcher.replay(c.value as DispatchEvent[], { fleet: d.fleet, policy, retainClosedMs: 500_000 });
      } catch (e) {
        error = e;
      }
      expect(error, c.what).toBeInstanceOf(InvalidRecordError);
      rejected++;
      if (!/\.hash$/.test((error as InvalidRecordError).path ?? '')) bySchema++;
      const tail = (c.value as DispatchEvent[]).slice(half);
      if (JSON.stringify(tail) !== JSON.stringify(log.slice(half))) {
        expect(() => target.replay(tail)).toThrow(InvalidRecordError);
        expect(JSON.stringify(target.snapshot())).toBe(before);
        tails++;
      }
    }
    expect(tails).toBeGreaterThan(0);
    expect(target.replay(log.slice(half)).snapshot()).toEqual(d.snapshot());
    console.log(
      `corrupted logs rejected: ${rejected} of ${cases.length} (${bySchema} by the schema or sequence, the rest by the hash chain)`,
    );
  });
});
