/**
 * The schema of a dispatcher snapshot (version 1), checked field by field when it is read back:
 * every type and range, times that do not run backwards, offers consistent with their session
 * (one per technician, a winner who was offered the job), one session per job id and ordinal.
 * The result is a fresh canonical copy; nothing of the caller's object is kept.
 */

import { readJob } from '../plan/job-input.js';
import type { EscalationStep, Policy } from '../plan/policy.js';
import { type Bonus, isCurrency, MAX_BONUS_AMOUNT } from '../shared/currency.js';
import { describe, InvalidRecordError } from '../shared/errors.js';
import { MAX_RADIUS_KM } from '../shared/validate.js';
import type { DispatcherSnapshot } from './event-types.js';
import { fields, id, int, km, list, time } from './log.js';
import { snapshotDigest } from './record.js';
import { type OfferRecord, type PlannedOffer, type SessionJSON, UNFILLED_REASONS } from './types.js';

type Fail = (path: string, what: string) => never;

const fail: Fail = (path, what) => {
  throw new InvalidRecordError(
    `Dispatcher.restore(): snapshot.${path} ${what}; pass the object snapshot() returned, unedited.`,
    path,
  );
};

const SNAPSHOT_FIELDS = ['version', 'seq', 'hash', 'now', 'ordinal', 'sessions', 'retired', 'digest'];
const SESSION_FIELDS = [
  'job',
  'ordinal',
  'state',
  'openedAt',
  'deadlineAt',
  'offerTtlMs',
  'maxNotified',
  'reoffer',
  'certPartner',
  'pending',
  'reserve',
  'steps',
  'nextStep',
  'batch',
  'nextWave',
  'notified',
  'widenKm',
  'allowPros',
  'prosStepApplies',
  'offers',
  'expiries',
  'winner',
  'closedAt',
  'completedAt',
  'completion',
  'reopenedAt',
  'bonus',
  'maxBonus',
  'reason',
  'retired',
  'award',
  'held',
  'awardAt',
];
/** Fields a session has only when they apply. */
const OPTIONAL = new Set([
  'retired',
  'completion',
  'reopenedAt',
  'award',
  'held',
  'awardAt',
  'bonus',
  'maxBonus',
]);
const STATES = ['open', 'assigned', 'completed', 'cancelled', 'unfilled'] as const;
const STATUSES = ['live', 'declined', 'expired', 'withdrawn', 'revoked', 'cancelled', 'held'] as const;
const CRITERIA = ['nearest', 'score', 'fewestRecentAwards'] as const;
const BIG = 1e9;

/** A winning request key: technician id, NUL, request id. */
function key(v: unknown, path: string): string {
  if (typeof v !== 'string' || !/^[^\0]+\0[^\0]+$/.test(v) || v.length > 2_001) {
    fail(path, `is ${describe(v)}, not a request key (technician id, NUL, request id)`);
  }
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, `is ${describe(v)}, not true or false`);
  return v;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], path: string): T {
  if (!options.includes(v as T)) fail(path, `is ${describe(v)}, not one of ${options.join(', ')}`);
  return v as T;
}

function nullable<T>(v: unknown, read: (x: unknown) => T): T | null {
  return v === null ? null : read(v);
}

function planned(v: unknown, path: string): PlannedOffer {
  const f = fields(v, ['id', 'km'], path, fail);
  return { id: id(f.id, `${path}.id`, fail), km: km(f.km, `${path}.km`, fail) };
}

/** A bonus as a session keeps it: whole minor units ≥ 0 and an ISO 4217 code. */
function bonus(v: unknown, path: string): Bonus {
  const f = fields(v, ['amount', 'currency'], path, fail);
  const amount = int(f.amount, `${path}.amount`, fail, 0, MAX_BONUS_AMOUNT);
  if (!isCurrency(f.currency)) fail(`${path}.currency`, `is ${describe(f.currency)}, not an ISO 4217 code`);
  return { amount, currency: f.currency };
}

function step(v: unknown, path: string): EscalationStep {
  const f0 = fields(v, ['action', 'afterMs', 'size', 'radiusKm', 'bonus'], path, fail);
  const s = action(f0, v, path);
  if (f0.bonus !== undefined) s.bonus = bonus(f0.bonus, `${path}.bonus`);
  return s;
}

function action(f0: Record<string, unknown>, v: unknown, path: string): EscalationStep {
  const action = oneOf(f0.action, ['deeper', 'widen', 'allowPros', 'broadcast'] as const, `${path}.action`);
  const known =
    action === 'deeper'
      ? ['action', 'afterMs', 'size', 'bonus']
      : action === 'widen'
        ? ['action', 'afterMs', 'radiusKm', 'bonus']
        : ['action', 'afterMs', 'bonus'];
  const f = fields(v, known, path, fail);
  const afterMs = int(f.afterMs, `${path}.afterMs`, fail, 0, 8.64e15);
  if (action === 'deeper') return { action, afterMs, size: int(f.size, `${path}.size`, fail, 1, BIG) };
  if (action === 'widen') {
    const r = km(f.radiusKm, `${path}.radiusKm`, fail);
    if (r <= 0 || r > MAX_RADIUS_KM) fail(`${path}.radiusKm`, `is ${r}, not in (0, ${MAX_RADIUS_KM}]`);
    return { action, afterMs, radiusKm: r };
  }
  return { action, afterMs };
}

function offer(v: unknown, path: string, openedAt: number): OfferRecord {
  const f = fields(v, ['technicianId', 'wave', 'sentAt', 'expiresAt', 'status', 'km'], path, fail);
  const o: OfferRecord = {
    technicianId: id(f.technicianId, `${path}.technicianId`, fail),
    wave: int(f.wave, `${path}.wave`, fail, 0, BIG),
    sentAt: time(f.sentAt, `${path}.sentAt`, fail),
    expiresAt: time(f.expiresAt, `${path}.expiresAt`, fail),
    status: oneOf(f.status, STATUSES, `${path}.status`),
  };
  if (f.km !== undefined) o.km = km(f.km, `${path}.km`, fail);
  if (o.sentAt < openedAt) fail(`${path}.sentAt`, `is ${o.sentAt}, before the job opened (${openedAt})`);
  if (o.expiresAt < o.sentAt)
    fail(`${path}.expiresAt`, `is ${o.expiresAt}, before the offer was sent (${o.sentAt})`);
  return o;
}

function session(v: unknown, path: string, now: number | null): SessionJSON {
  const f = fields(v, SESSION_FIELDS, path, fail);
  for (const k of SESSION_FIELDS) if (!OPTIONAL.has(k) && !(k in f)) fail(`${path}.${k}`, 'is missing');
  let job: SessionJSON['job'];
  try {
    job = readJob(f.job);
  } catch (error) {
    return fail(`${path}.job`, `is not a valid job (${(error as Error).message})`);
  }
  const openedAt = time(f.openedAt, `${path}.openedAt`, fail);
  const at = (x: unknown, p: string): number => {
    const t = time(x, p, fail);
    if (t < openedAt) fail(p, `is ${t}, before the job opened (${openedAt})`);
    return t;
  };
  const s: SessionJSON = {
    job,
    ordinal: int(f.ordinal, `${path}.ordinal`, fail, 0, Number.MAX_SAFE_INTEGER),
    state: oneOf(f.state, STATES, `${path}.state`),
    openedAt,
    deadlineAt: at(f.deadlineAt, `${path}.deadlineAt`),
    offerTtlMs: int(f.offerTtlMs, `${path}.offerTtlMs`, fail, 1, 8.64e15),
    maxNotified: int(f.maxNotified, `${path}.maxNotified`, fail, 1, BIG),
    reoffer: bool(f.reoffer, `${path}.reoffer`),
    certPartner: nullable(f.certPartner, (x) => id(x, `${path}.certPartner`, fail)),
    pending: list(f.pending, `${path}.pending`, fail, (x, p) => {
      const w = fields(x, ['index', 'at', 'offers', 'preferredUntil'], p, fail);
      const out: SessionJSON['pending'][number] = {
        index: int(w.index, `${p}.index`, fail, 0, BIG),
        at: at(w.at, `${p}.at`),
        offers: list(w.offers, `${p}.offers`, fail, planned),
      };
      if (w.preferredUntil !== undefined) out.preferredUntil = at(w.preferredUntil, `${p}.preferredUntil`);
      return out;
    }),
    reserve: list(f.reserve, `${path}.reserve`, fail, planned),
    steps: list(f.steps, `${path}.steps`, fail, (x, p) => {
      const w = fields(x, ['at', 'step'], p, fail);
      return { at: at(w.at, `${p}.at`), step: step(w.step, `${p}.step`) };
    }),
    nextStep: 0,
    batch: int(f.batch, `${path}.batch`, fail, 1, BIG),
    nextWave: int(f.nextWave, `${path}.nextWave`, fail, 0, BIG),
    notified: int(f.notified, `${path}.notified`, fail, 0, BIG),
    widenKm: nullable(f.widenKm, (x) => km(x, `${path}.widenKm`, fail)),
    allowPros: bool(f.allowPros, `${path}.allowPros`),
    prosStepApplies: bool(f.prosStepApplies, `${path}.prosStepApplies`),
    offers: list(f.offers, `${path}.offers`, fail, (x, p) => offer(x, p, openedAt)),
    expiries: list(f.expiries, `${path}.expiries`, fail, (x, p) => {
      const w = fields(x, ['at', 'wave'], p, fail);
      return { at: at(w.at, `${p}.at`), wave: int(w.wave, `${p}.wave`, fail, 0, BIG) };
    }),
    winner: nullable(f.winner, (x) => {
      const p = `${path}.winner`;
      const w = fields(x, ['technicianId', 'requestId', 'at', 'responseMs'], p, fail);
      return {
        technicianId: id(w.technicianId, `${p}.technicianId`, fail),
        requestId: nullable(w.requestId, (r) => id(r, `${p}.requestId`, fail)),
        at: at(w.at, `${p}.at`),
        responseMs: int(w.responseMs, `${p}.responseMs`, fail, 0, 8.64e15),
      };
    }),
    closedAt: nullable(f.closedAt, (x) => at(x, `${path}.closedAt`)),
    completedAt: nullable(f.completedAt, (x) => at(x, `${path}.completedAt`)),
    reason: nullable(f.reason, (x) => oneOf(x, UNFILLED_REASONS, `${path}.reason`)),
  };
  s.nextStep = int(f.nextStep, `${path}.nextStep`, fail, 0, s.steps.length);
  if (f.retired !== undefined) s.retired = list(f.retired, `${path}.retired`, fail, key);
  if (f.completion !== undefined)
    s.completion = oneOf(
      f.completion,
      ['customer_no_show', 'technician_no_show'] as const,
      `${path}.completion`,
    );
  if (f.reopenedAt !== undefined) s.reopenedAt = at(f.reopenedAt, `${path}.reopenedAt`);
  if (f.award !== undefined) {
    const p = `${path}.award`;
    const a = fields(f.award, ['windowMs', 'by', 'bestFriendFirst'], p, fail);
    s.award = {
      windowMs: int(a.windowMs, `${p}.windowMs`, fail, 1, 600_000),
      by: oneOf(a.by, CRITERIA, `${p}.by`),
      bestFriendFirst: bool(a.bestFriendFirst, `${p}.bestFriendFirst`),
    };
  }
  if (f.held !== undefined) {
    s.held = list(f.held, `${path}.held`, fail, (x, p) => {
      const h = fields(x, ['technicianId', 'requestId', 'at', 'responseMs'], p, fail);
      return {
        technicianId: id(h.technicianId, `${p}.technicianId`, fail),
        requestId: nullable(h.requestId, (r) => id(r, `${p}.requestId`, fail)),
        at: at(h.at, `${p}.at`),
        responseMs: int(h.responseMs, `${p}.responseMs`, fail, 0, 8.64e15),
      };
    });
  }
  if (f.awardAt !== undefined) s.awardAt = at(f.awardAt, `${path}.awardAt`);
  if (f.bonus !== undefined) s.bonus = bonus(f.bonus, `${path}.bonus`);
  if (f.maxBonus !== undefined) s.maxBonus = bonus(f.maxBonus, `${path}.maxBonus`);
  if (s.bonus !== undefined && s.maxBonus !== undefined && s.bonus.amount > s.maxBonus.amount)
    fail(`${path}.bonus.amount`, `is ${s.bonus.amount}, above the job's cap of ${s.maxBonus.amount}`);
  consistent(s, path, now);
  return s;
}

/** Cross-field rules: what a session the dispatcher wrote always satisfies. */
function consistent(s: SessionJSON, path: string, now: number | null): void {
  // A running award window: best-accept mode, an open job, held accepters whose offers say so.
  const window = s.held !== undefined || s.awardAt !== undefined;
  if (
    window &&
    (s.award === undefined || s.held === undefined || s.awardAt === undefined || s.held.length === 0)
  )
    fail(`${path}.held`, 'and awardAt come together, non-empty, in best-accept mode only');
  if (window && s.state !== 'open') fail(`${path}.held`, `is set for a job that is ${s.state}`);
  if (s.awardAt !== undefined && s.awardAt > s.deadlineAt)
    fail(`${path}.awardAt`, `is ${s.awardAt}, after the deadline (${s.deadlineAt})`);
  const held = new Set((s.held ?? []).map((h) => h.technicianId));
  // Offers keep their 'held' status once the job closed (as a winner's stays 'live').
  s.offers.forEach((o, i) => {
    if (s.state === 'open' && (o.status === 'held') !== held.has(o.technicianId))
      fail(
        `${path}.offers[${i}].status`,
        `is '${o.status}' but the award window ${held.has(o.technicianId) ? 'holds' : 'does not hold'} '${o.technicianId}'`,
      );
  });
  if (held.size !== (s.held ?? []).length) fail(`${path}.held`, 'repeats a technician');
  const seen = new Set<string>();
  s.offers.forEach((o, i) => {
    if (seen.has(o.technicianId))
      fail(`${path}.offers[${i}].technicianId`, `repeats '${o.technicianId}' (one offer per technician)`);
    seen.add(o.technicianId);
    if (now !== null && o.sentAt > now)
      fail(`${path}.offers[${i}].sentAt`, `is ${o.sentAt}, after the snapshot's now (${now})`);
  });
  if (s.notified < s.offers.length)
    fail(`${path}.notified`, `is ${s.notified}, fewer than the ${s.offers.length} offers made`);
  if (now !== null && s.openedAt > now)
    fail(`${path}.openedAt`, `is ${s.openedAt}, after the snapshot's now (${now})`);
  const open = s.state === 'open';
  if (open !== (s.closedAt === null))
    fail(`${path}.closedAt`, `is ${describe(s.closedAt)} for a job that is ${s.state}`);
  if (s.closedAt !== null && now !== null && s.closedAt > now)
    fail(`${path}.closedAt`, `is after the snapshot's now (${now})`);
  const won = s.state === 'assigned' || s.state === 'completed';
  // A cancelled job keeps the winner it had, if it was assigned before.
  if ((won && s.winner === null) || (s.winner !== null && !won && s.state !== 'cancelled')) {
    fail(`${path}.winner`, `is ${describe(s.winner)} for a job that is ${s.state}`);
  }
  if (s.winner !== null) {
    const w = s.winner;
    const o = s.offers.find((x) => x.technicianId === w.technicianId);
    if (o === undefined)
      fail(`${path}.winner.technicianId`, `is '${w.technicianId}', who was never offered the job`);
    if (s.closedAt !== null && w.at > s.closedAt)
      fail(`${path}.winner.at`, `is ${w.at}, after the job closed (${s.closedAt})`);
    if (w.responseMs !== w.at - o.sentAt)
      fail(
        `${path}.winner.responseMs`,
        `is ${w.responseMs}, but the offer was sent ${w.at - o.sentAt} ms before the accept`,
      );
  }
  if ((s.state === 'completed') !== (s.completedAt !== null))
    fail(`${path}.completedAt`, `is ${describe(s.completedAt)} for a job that is ${s.state}`);
  if (s.completion !== undefined && s.state !== 'completed')
    fail(`${path}.completion`, `is ${describe(s.completion)} for a job that is ${s.state}`);
  if ((s.state === 'unfilled') !== (s.reason !== null))
    fail(`${path}.reason`, `is ${describe(s.reason)} for a job that is ${s.state}`);
  if (!open && (s.pending.length > 0 || s.reserve.length > 0 || s.expiries.length > 0)) {
    fail(`${path}.pending`, `holds waves, a reserve or expiries for a job that is ${s.state}`);
  }
}

/**
 * Reads a snapshot back: a version 1 dispatcher snapshot, every field checked, as a fresh copy.
 * Throws {@link InvalidRecordError} with the path of the first bad field.
 */
export function readSnapshot(value: unknown, _policy: Policy, lenient = false): DispatcherSnapshot {
  const f = fields(value, SNAPSHOT_FIELDS, '', fail);
  if (f.version !== 1) fail('version', `is ${describe(f.version)}; only version 1 snapshots can be restored`);
  const seq = int(f.seq, 'seq', fail, 0, Number.MAX_SAFE_INTEGER);
  if (typeof f.hash !== 'string' || !/^[0-9a-f]{16}$/.test(f.hash))
    fail('hash', `is ${describe(f.hash)}, not 16 hex digits`);
  const now = nullable(f.now, (x) => time(x, 'now', fail));
  const ordinal = int(f.ordinal, 'ordinal', fail, 0, Number.MAX_SAFE_INTEGER);
  const sessions = list(f.sessions, 'sessions', fail, (x, p) => session(x, p, now));
  const ids = new Set<string>();
  const ordinals = new Set<number>();
  sessions.forEach((s, i) => {
    if (ids.has(s.job.id)) fail(`sessions[${i}].job.id`, `repeats job '${s.job.id}' (one session per job)`);
    if (ordinals.has(s.ordinal) || s.ordinal >= ordinal) {
      fail(`sessions[${i}].ordinal`, `is ${s.ordinal}: repeated or not below the next ordinal (${ordinal})`);
    }
    ids.add(s.job.id);
    ordinals.add(s.ordinal);
  });
  if (seq === 0 && (sessions.length > 0 || now !== null)) fail('seq', 'is 0, but the snapshot holds state');
  const out: DispatcherSnapshot = { version: 1, seq, hash: f.hash as string, now, ordinal, sessions };
  if (f.retired !== undefined) {
    out.retired = list(f.retired, 'retired', fail, (x, p) => {
      const r = fields(x, ['jobId', 'until', 'keys'], p, fail);
      return {
        jobId: id(r.jobId, `${p}.jobId`, fail),
        until: time(r.until, `${p}.until`, fail),
        keys: list(r.keys, `${p}.keys`, fail, key),
      };
    });
  }
  // Last, over the checked copy: the schema names the field at fault, the digest catches the rest.
  if (f.digest !== undefined || !lenient) {
    const expected = snapshotDigest(out);
    if (f.digest !== expected) {
      fail(
        'digest',
        `is ${describe(f.digest)}, but the snapshot's content gives ${expected}: it was edited after snapshot() wrote it`,
      );
    }
  }
  return out;
}
