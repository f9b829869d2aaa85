/**
 * Fuzzing the public entry points with hostile values — NaN, ±∞, huge numbers, wrong types,
 * null/undefined, BigInt, Symbol, extra fields, `__proto__`/`constructor` keys, long strings,
 * throwing getters, `toJSON` — each case one bad value among valid ones: every call must throw a
 * typed error (never a raw TypeError/RangeError, never silently accept it) and change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { CrowdDispatchError } from '../src/shared/errors.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('fuzz.test.ts');

const throwing = (): object =>
  Object.defineProperty({}, 'x', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
const hostile = fc.constantFrom<() => unknown>(
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => Number.NEGATIVE_INFINITY,
  () => 1e300,
  () => -1e20,
  () => 10n,
  () => Symbol('s'),
  () => null,
  () => Object.create(null),
  () => ({ toJSON: () => 5 }),
  () => JSON.parse('{"__proto__": {"polluted": true}}'),
  () => ({ constructor: 1 }),
  () => 'x'.repeat(5_000),
  () => [Number.NaN],
  throwing,
  () =>
    new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('proxy');
        },
      },
    ),
  () => () => 1,
);
/** Values that are bad in a time slot (integers in range are good). */
const badTime = fc.oneof(
  hostile,
  fc.constantFrom(
    () => 1.5,
    () => '100',
    () => undefined,
    () => 8.64e15 + 2,
    () => true,
  ),
);
/** Values that are bad in an id slot. */
const badId = fc.oneof(
  hostile,
  fc.constantFrom(
    () => '',
    () => 5,
    () => undefined,
    () => ['a'],
    () => true,
  ),
);

/** A field of a record with a value that is always wrong for it. */
const techField = fc.constantFrom<[string, unknown]>(
  ['lat', 91],
  ['lon', -181],
  ['tier', 'boss'],
  ['radiusKm', 0],
  ['radiusKm', 5_000],
  ['rating', 6],
  ['ratingCount', -1],
  ['capacity', 0],
  ['capacity', 1.5],
  ['load', -1],
  ['skills', 'router'],
  ['skills', ['']],
  ['certifications', [5]],
  ['online', 'yes'],
  ['bestFriend', 1],
  ['availability', { timeZone: 'Mars/Base', windows: [] }],
  ['availability', { timeZone: 'Europe/Zurich', windows: [{ day: 7, start: '08:00', end: '10:00' }] }],
  ['stats', { acceptRate: 2 }],
  ['skill', ['router']],
  ['constructor', 1],
  ['__proto__', { x: 1 }],
);
const jobField = fc.constantFrom<[string, unknown]>(
  ['lat', -91],
  ['lon', 200],
  ['tier', 'expert'],
  ['maxRadiusKm', -5],
  ['skills', [null]],
  ['blocked', 'x'],
  ['partner', ''],
  ['requireCertification', 'yes'],
  ['skillz', ['tv']],
  ['toJSON', () => ({ id: 'liar' })],
  ['__proto__', {}],
);

/** Sets a field as an own property (so `__proto__` is a key, as JSON.parse would make it). */
function withField(base: object, key: string, value: unknown, hostileValue?: unknown): object {
  const out = { ...base };
  // An empty (null-prototype) object is a valid `stats`: keep the field's own bad value there.
  const use = hostileValue === undefined || key === 'stats' ? value : hostileValue;
  Object.defineProperty(out, key, { value: use, enumerable: true, configurable: true, writable: true });
  return out;
}

function world() {
  const policy = fastPolicy();
  const fleet = makeFleet(12);
  const d = new Dispatcher({ fleet, policy, retainClosedMs: 10_000 });
  const wave = notified(d.open(job('j'), T0));
  d.accept('j', wave[0]!, T0 + 1_000, 'r');
  d.open(job('k'), T0 + 2_000);
  return { d, fleet, policy };
}

function state(w: ReturnType<typeof world>): string {
  const techs = [...w.fleet.idsIterator()].map((id) => w.fleet.get(id));
  return JSON.stringify({ snap: w.d.snapshot(), techs, size: w.fleet.size, skills: [...w.fleet.skillBits] });
}

describe('fuzz: hostile values at every public entry point', () => {
  it('zero raw errors, zero silently accepted bad values, state unchanged after each', () => {
    const w = world();
    const snap = w.d.snapshot();
    const log = JSON.parse(JSON.stringify(w.d.eventLog()));
    const tech = { id: 'n', lat: 47.4, lon: 8.5, tier: 'friend' };
    const entry = fc.oneof(
      fc
        .tuple(fc.constant('add'), techField, fc.option(hostile))
        .map(
          ([n, [k, v], h]) =>
            [`${n}.${k}`, () => w.fleet.add(withField(tech, k, v, h?.()) as never)] as const,
        ),
      fc
        .tuple(fc.constant('update'), techField, fc.option(hostile))
        .map(
          ([n, [k, v], h]) =>
            [`${n}.${k}`, () => w.fleet.update('t1', withField({}, k, v, h?.()) as never)] as const,
        ),
      fc
        .tuple(fc.constant('add(hostile)'), hostile)
        .map(([n, h]) => [n, () => w.fleet.add(h() as never)] as const),
      fc
        .tuple(fc.constant('move'), hostile)
        .map(([n, h]) => [n, () => w.fleet.move('t1', h() as never, 8)] as const),
      fc
        .tuple(fc.constant('setOnline'), hostile)
        .map(([n, h]) => [n, () => w.fleet.setOnline('t1', h() as never)] as const),
      fc
        .tuple(fc.constant('setLoad'), hostile)
        .map(([n, h]) => [n, () => w.fleet.setLoad('t1', h() as never)] as const),
      fc
        .tuple(fc.constant('remove'), badId)
        .map(([n, h]) => [n, () => w.fleet.remove(h() as never)] as const),
      fc
        .tuple(fc.constant('open'), jobField, fc.option(hostile))
        .map(
          ([n, [k, v], h]) =>
            [`${n}.${k}`, () => w.d.open(withField(job('z'), k, v, h?.()) as never, T0 + 5_000)] as const,
        ),
      fc
        .tuple(fc.constant('open(now)'), badTime)
        .map(([n, h]) => [n, () => w.d.open(job('z'), h() as never)] as const),
      fc
        .tuple(fc.constant('advance'), badTime)
        .map(([n, h]) => [n, () => w.d.advance(h() as never)] as const),
      fc.tuple(fc.constant('accept'), badId, fc.nat(3)).map(
        ([n, h, i]) =>
          [
            n,
            () => {
              const args: unknown[] = ['j', 't1', T0 + 5_000, 'r'];
              args[i] = i === 2 ? (h() ?? Number.NaN) : h();
              if (i === 3 && args[3] === undefined) args[3] = '';
              return w.d.accept(...(args as [string, string, number, string]));
            },
          ] as const,
      ),
      fc
        .tuple(fc.constant('decline'), badId)
        .map(([n, h]) => [n, () => w.d.decline('k', h() as never, T0 + 5_000)] as const),
      fc
        .tuple(fc.constant('cancel'), badId)
        .map(([n, h]) => [n, () => w.d.cancel(h() as never, T0 + 5_000)] as const),
      fc
        .tuple(fc.constant('complete'), badTime)
        .map(([n, h]) => [n, () => w.d.complete('j', h() as never)] as const),
      fc
        .tuple(fc.constant('unavailable'), hostile)
        .map(([n, h]) => [n, () => w.d.technicianUnavailable('t1', T0 + 5_000, h() as never)] as const),
      fc.tuple(fc.constant('plan'), hostile, fc.nat(2)).map(
        ([n, h, i]) =>
          [
            n,
            () => {
              const args: unknown[] = [w.fleet, job('p'), { now: T0, policy: w.policy }];
              args[i] = h();
              return plan(...(args as Parameters<typeof plan>));
            },
          ] as const,
      ),
      fc
        .tuple(
          fc.constant('createPolicy'),
          hostile,
          fc.constantFrom('deadlineMs', 'waves', 'offerTtlMs', 'maxNotifiedPerJob', 'dedline'),
        )
        .map(([n, h, k]) => [n, () => createPolicy({ [k]: h() } as never)] as const),
      fc
        .tuple(
          fc.constant('restore'),
          hostile,
          fc.constantFrom('seq', 'now', 'sessions', 'hash', 'ordinal', 'x'),
        )
        .map(
          ([n, h, k]) =>
            [
              n,
              () => Dispatcher.restore({ ...snap, [k]: h() } as never, { fleet: w.fleet, policy: w.policy }),
            ] as const,
        ),
      fc
        .tuple(
          fc.constant('replay'),
          hostile,
          fc.constantFrom('seq', 'at', 'type', 'job', 'facts', 'hash', 'jobId'),
        )
        .map(
          ([n, h, k]) =>
            [
              n,
              () =>
                Dispatcher.replay([{ ...log[0], [k]: h() }] as never, { fleet: w.fleet, policy: w.policy }),
            ] as const,
        ),
      fc
        .tuple(
          fc.constant('new Dispatcher'),
          hostile,
          fc.constantFrom('fleet', 'policy', 'keepLog', 'retainClosedMs', 'onEvent', 'extra'),
        )
        // Infinity is a valid retainClosedMs and a function a valid onEvent: not hostile there.
        .filter(
          ([, h, k]) =>
            !(k === 'retainClosedMs' && h() === Number.POSITIVE_INFINITY) &&
            !(k === 'onEvent' && typeof h() === 'function'),
        )
        .map(
          ([n, h, k]) =>
            [n, () => new Dispatcher({ fleet: w.fleet, policy: w.policy, [k]: h() } as never)] as const,
        ),
    );
    const outcomes: Record<string, number> = {};
    let cases = 0;
    fc.assert(
      fc.property(entry, ([name, act]) => {
        cases++;
        const before = state(w);
        let error: unknown;
        try {
          act();
        } catch (e) {
          error = e;
        }
        expect(error, `${name}: accepted a bad value`).toBeDefined();
        expect(error, `${name}: ${(error as Error)?.name} ${(error as Error)?.message}`).toBeInstanceOf(
          CrowdDispatchError,
        );
        expect((error as Error).message.length).toBeGreaterThan(10);
        expect(state(w), `${name} changed the state`).toBe(before);
        const code = (error as CrowdDispatchError).code;
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }),
      { seed, numRuns: 5_000 },
    );
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    console.log(`fuzz: ${cases} cases, outcomes ${JSON.stringify(outcomes)}`);
  });
});
