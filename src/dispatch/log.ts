/**
 * Reading an event log back: every event is copied field by field into the canonical form the
 * dispatcher logs (fixed key order, plain data), checked against the schema — types, ranges,
 * known fields only — and its hash checked against the chain. Nothing read back is trusted.
 */

import { readJob } from '../plan/job-input.js';
import { CrowdDispatchError, describe, InvalidRecordError } from '../shared/errors.js';
import { MAX_LIST, MAX_NAME, readFields } from '../shared/validate.js';
import type { DispatchEvent, Fact } from './event-types.js';
import { chainHash } from './record.js';
import type { CompletionReason, IneligibleReason, UnavailableReason } from './types.js';

/** Times are integers inside the range of a JavaScript Date, ms. */
export const MAX_TIME = 8.64e15;

export const UNAVAILABLE_REASONS: readonly UnavailableReason[] = [
  'offline',
  'at_capacity',
  'removed',
  'certification_revoked',
];
/** How an assigned job may end (`Dispatcher.complete`); the first is the default and is not logged. */
export const COMPLETION_REASONS: readonly CompletionReason[] = [
  'done',
  'customer_no_show',
  'technician_no_show',
];
const INELIGIBLE: readonly IneligibleReason[] = [
  'offline',
  'at_capacity',
  'removed',
  'not_certified',
  'booked_in_window',
  'unavailable_in_window',
];

const BASE = ['seq', 'type', 'at', 'facts', 'hash'];
const FIELDS: Record<DispatchEvent['type'], readonly string[]> = {
  open: [...BASE, 'job'],
  advance: BASE,
  accept: [...BASE, 'jobId', 'technicianId', 'requestId'],
  decline: [...BASE, 'jobId', 'technicianId'],
  cancel: [...BASE, 'jobId'],
  complete: [...BASE, 'jobId', 'reason'],
  technicianCancel: [...BASE, 'jobId', 'technicianId', 'reason'],
  unavailable: [...BASE, 'technicianId', 'reason'],
};
const FACT_FIELDS: Record<Fact['kind'], readonly string[]> = {
  candidates: ['kind', 'ids', 'km', 'waves', 'policy', 'preferred'],
  skipped: ['kind', 'call', 'ids'],
  verdict: ['kind', 'reason', 'saturated'],
  failed: ['kind', 'jobId'],
  standing: ['kind', 'ids', 'awards', 'bestFriend'],
};

type Fail = (path: string, what: string) => never;

function failer(where: string): Fail {
  return (path, what) => {
    throw new InvalidRecordError(
      `${where}: ${path} ${what}; pass the records the dispatcher wrote, unedited.`,
      path,
    );
  };
}

/** Whether `t` is a time the dispatcher accepts: an integer within ±8.64e15 ms. */
export function isTime(t: unknown): t is number {
  return typeof t === 'number' && Number.isInteger(t) && Math.abs(t) <= MAX_TIME;
}

export function time(v: unknown, path: string, fail: Fail): number {
  if (!isTime(v)) fail(path, `is ${describe(v)}, not an integer time within ±${MAX_TIME} ms`);
  return v;
}

export function int(v: unknown, path: string, fail: Fail, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(path, `is ${describe(v)}, not a whole number in ${min}…${max}`);
  return v;
}

export function id(v: unknown, path: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME)
    fail(path, `is ${describe(v)}, not a non-empty string of at most ${MAX_NAME} characters`);
  return v;
}

export function list<T>(v: unknown, path: string, fail: Fail, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v) || v.length > MAX_LIST * 100) fail(path, `is ${describe(v)}, not a list`);
  const out: T[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = item(v[i], `${path}[${i}]`);
  return out;
}

/** Reads an object's fields (unknown fields, getters that throw, non-objects: a record error). */
export function fields(
  v: unknown,
  known: readonly string[],
  path: string,
  fail: Fail,
): Record<string, unknown> {
  try {
    return readFields(v, known, 'record', path, InvalidRecordError);
  } catch (error) {
    return fail(path, `is unusable (${(error as Error).message})`);
  }
}

export function km(v: unknown, path: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 20_100)
    fail(path, `is ${describe(v)}, not a distance in km`);
  return v;
}

export function readFact(v: unknown, path: string, fail: Fail): Fact {
  const kind = fields(
    v,
    [
      'kind',
      'ids',
      'km',
      'waves',
      'policy',
      'preferred',
      'call',
      'reason',
      'saturated',
      'jobId',
      'awards',
      'bestFriend',
    ],
    path,
    fail,
  ).kind;
  if (typeof kind !== 'string' || !(kind in FACT_FIELDS))
    fail(`${path}.kind`, `is ${describe(kind)}, not a fact kind`);
  const f = fields(v, FACT_FIELDS[kind as Fact['kind']], path, fail);
  const ids = (p: string): string[] => list(f.ids, p, fail, (x, q) => id(x, q, fail));
  switch (kind as Fact['kind']) {
    case 'candidates': {
      const out: Fact = {
        kind: 'candidates',
        ids: ids(`${path}.ids`),
        km: list(f.km, `${path}.km`, fail, (x, q) => km(x, q, fail)),
      };
      if (out.km.length !== out.ids.length)
        fail(`${path}.km`, `has ${out.km.length} entries for ${out.ids.length} ids`);
      if (f.waves !== undefined) {
        out.waves = list(f.waves, `${path}.waves`, fail, (x, q) => int(x, q, fail, -1, 1_000));
        if (out.waves.length !== out.ids.length)
          fail(`${path}.waves`, `has ${out.waves.length} entries for ${out.ids.length} ids`);
      }
      if (f.policy !== undefined) out.policy = id(f.policy, `${path}.policy`, fail);
      if (f.preferred !== undefined) {
        const p = `${path}.preferred`;
        const g = fields(f.preferred, ['ids', 'km'], p, fail);
        const pids = list(g.ids, `${p}.ids`, fail, (x, q) => id(x, q, fail));
        const pkm = list(g.km, `${p}.km`, fail, (x, q) => km(x, q, fail));
        if (pkm.length !== pids.length) fail(`${p}.km`, `has ${pkm.length} entries for ${pids.length} ids`);
        out.preferred = { ids: pids, km: pkm };
      }
      return out;
    }
    case 'skipped':
      return { kind: 'skipped', call: int(f.call, `${path}.call`, fail, 0, 1e9), ids: ids(`${path}.ids`) };
    case 'verdict': {
      const reason = f.reason;
      if (reason !== null && !INELIGIBLE.includes(reason as IneligibleReason))
        fail(`${path}.reason`, `is ${describe(reason)}, not null or one of ${INELIGIBLE.join(', ')}`);
      if (typeof f.saturated !== 'boolean')
        fail(`${path}.saturated`, `is ${describe(f.saturated)}, not true or false`);
      return { kind: 'verdict', reason: reason as IneligibleReason | null, saturated: f.saturated };
    }
    case 'failed':
      return { kind: 'failed', jobId: id(f.jobId, `${path}.jobId`, fail) };
    case 'standing': {
      const out: Fact = {
        kind: 'standing',
        ids: ids(`${path}.ids`),
        awards: list(f.awards, `${path}.awards`, fail, (x, q) => {
          if (typeof x !== 'number' || !Number.isFinite(x) || x < 0)
            fail(q, `is ${describe(x)}, not a count ≥ 0`);
          return x as number;
        }),
        bestFriend: list(f.bestFriend, `${path}.bestFriend`, fail, (x, q) => {
          if (typeof x !== 'boolean') fail(q, `is ${describe(x)}, not true or false`);
          return x as boolean;
        }),
      };
      if (out.awards.length !== out.ids.length || out.bestFriend.length !== out.ids.length)
        fail(
          `${path}.awards`,
          `has ${out.awards.length} awards and ${out.bestFriend.length} flags for ${out.ids.length} ids`,
        );
      return out;
    }
  }
}

/**
 * Copies one logged event into its canonical form, checking every field; `path` names it in errors
 * (e.g. `[3]`). The hash is checked by {@link checkChain}.
 */
export function readEvent(v: unknown, path: string, where: string): DispatchEvent & { hash: string } {
  const fail = failer(where);
  const type = fields(
    v,
    ['seq', 'type', 'at', 'facts', 'hash', 'job', 'jobId', 'technicianId', 'requestId', 'reason'],
    path,
    fail,
  ).type;
  if (typeof type !== 'string' || !(type in FIELDS)) {
    fail(`${path}.type`, `is ${describe(type)}, not one of ${Object.keys(FIELDS).join(', ')}`);
  }
  const f = fields(v, FIELDS[type as DispatchEvent['type']], path, fail);
  const head = {
    seq: int(f.seq, `${path}.seq`, fail, 1, Number.MAX_SAFE_INTEGER),
    type,
    at: time(f.at, `${path}.at`, fail),
  };
  let e: DispatchEvent;
  switch (type as DispatchEvent['type']) {
    case 'open': {
      let job: ReturnType<typeof readJob>;
      try {
        job = readJob(f.job);
      } catch (error) {
        const inner = error instanceof CrowdDispatchError ? error.path : undefined;
        return fail(
          `${path}.job${inner ? `.${inner}` : ''}`,
          `is not a valid job (${(error as Error).message})`,
        );
      }
      e = { ...head, type: 'open', job };
      break;
    }
    case 'advance':
      e = { ...head, type: 'advance' };
      break;
    case 'accept': {
      e = {
        ...head,
        type: 'accept',
        jobId: id(f.jobId, `${path}.jobId`, fail),
        technicianId: id(f.technicianId, `${path}.technicianId`, fail),
      };
      if (f.requestId !== undefined) e.requestId = id(f.requestId, `${path}.requestId`, fail);
      break;
    }
    case 'decline':
      e = {
        ...head,
        type: 'decline',
        jobId: id(f.jobId, `${path}.jobId`, fail),
        technicianId: id(f.technicianId, `${path}.technicianId`, fail),
      };
      break;
    case 'cancel':
      e = { ...head, type: 'cancel', jobId: id(f.jobId, `${path}.jobId`, fail) };
      break;
    case 'complete': {
      e = { ...head, type: 'complete', jobId: id(f.jobId, `${path}.jobId`, fail) };
      if (f.reason !== undefined) {
        const reason = f.reason as CompletionReason;
        // 'done' is the default, never logged.
        if (reason === 'done' || !COMPLETION_REASONS.includes(reason))
          fail(
            `${path}.reason`,
            `is ${describe(reason)}, not one of ${COMPLETION_REASONS.slice(1).join(', ')}`,
          );
        e.reason = reason as Exclude<CompletionReason, 'done'>;
      }
      break;
    }
    case 'technicianCancel':
      e = {
        ...head,
        type: 'technicianCancel',
        jobId: id(f.jobId, `${path}.jobId`, fail),
        technicianId: id(f.technicianId, `${path}.technicianId`, fail),
      };
      if (f.reason !== undefined) e.reason = id(f.reason, `${path}.reason`, fail);
      break;
    case 'unavailable': {
      const reason = f.reason as UnavailableReason;
      if (!UNAVAILABLE_REASONS.includes(reason))
        fail(`${path}.reason`, `is ${describe(reason)}, not one of ${UNAVAILABLE_REASONS.join(', ')}`);
      e = {
        ...head,
        type: 'unavailable',
        technicianId: id(f.technicianId, `${path}.technicianId`, fail),
        reason,
      };
      break;
    }
  }
  if (f.facts !== undefined) {
    const facts = list(f.facts, `${path}.facts`, fail, (x, p) => readFact(x, p, fail));
    if (facts.length === 0) fail(`${path}.facts`, 'is empty (the dispatcher leaves it out then)');
    e.facts = facts;
  }
  const hash = f.hash;
  if (typeof hash !== 'string' || !/^[0-9a-f]{16}$/.test(hash))
    fail(`${path}.hash`, `is ${describe(hash)}, not 16 hex digits`);
  return Object.assign(e, { hash: hash as string });
}

/** The chain hash of an event in canonical form (its `hash` field left out). */
export function hashOf(prev: string, e: DispatchEvent): string {
  const { hash: _hash, ...body } = e as DispatchEvent & { hash?: string };
  return chainHash(prev, JSON.stringify(body));
}

/**
 * Reads a whole log: each event canonical and valid, sequence numbers consecutive from `seq + 1`,
 * times never going back, hashes following the chain from `hash`. Throws {@link InvalidRecordError}
 * naming the first bad path; reads nothing into any dispatcher.
 */
export function readLog(
  log: unknown,
  from: { seq: number; at: number | null; hash: string },
  where: string,
): (DispatchEvent & { hash: string })[] {
  const fail = failer(where);
  if (!Array.isArray(log)) return fail('log', `is ${describe(log)}, not an array of events`);
  let { seq, at, hash } = from;
  const out: (DispatchEvent & { hash: string })[] = [];
  for (let i = 0; i < log.length; i++) {
    const e = readEvent(log[i], `[${i}]`, where);
    if (e.seq !== seq + 1)
      fail(
        `[${i}].seq`,
        `is ${e.seq}, but ${seq + 1} must follow ${seq} (replay from the snapshot's seq + 1 without gaps)`,
      );
    if (at !== null && e.at < at) fail(`[${i}].at`, `is ${e.at}, before the previous event's ${at}`);
    const expected = hashOf(hash, e);
    if (e.hash !== expected)
      fail(
        `[${i}].hash`,
        `is ${e.hash}, but the chain gives ${expected}: the event or one before it was edited, dropped or reordered`,
      );
    seq = e.seq;
    at = e.at;
    hash = e.hash;
    out.push(e);
  }
  return out;
}
