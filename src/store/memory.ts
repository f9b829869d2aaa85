/**
 * The in-memory dispatch store: one process, no I/O. Every method checks before it writes, so a
 * step is applied entirely or not at all, exactly as the PostgreSQL store's transaction does.
 */
import type { AcceptOutcome } from '../dispatch/types.js';
import { collidesWithAny, type Reservation } from '../fleet/reservations.js';
import { InvalidArgumentError } from '../shared/errors.js';
import { awardFailed } from './errors.js';
import {
  type AppendResult,
  type ClaimResult,
  type DispatchStore,
  type FeedCursor,
  liveOf,
  MAX_AWARD_TRIES,
  type OutboxEntry,
  type Step,
  type StoredEvent,
  type StoredJob,
  winnerConflict,
  winnerOf,
} from './types.js';

interface Row {
  version: number;
  /** The session as JSON text: reads hand out copies, never shared objects. */
  state: string;
  lastAt: number;
  dueAt: number | null;
}

const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * A {@link DispatchStore} in memory: the embedded default, for one process.
 * @example
 * const store = new MemoryStore();
 * const dispatcher = new StoreDispatcher({ store, fleet, policy });
 */
export class MemoryStore implements DispatchStore {
  private readonly jobs = new Map<string, Row>();
  private readonly streams = new Map<string, string[]>();
  private readonly log: string[] = [];
  private readonly requests = new Map<string, string>();
  private readonly techs = new Map<string, { load: number; capacity: number }>();
  /** Technician → his booked appointments (assigned, not yet completed or cancelled). */
  private readonly bookings = new Map<string, Reservation[]>();
  private readonly outbox: (OutboxEntry & { delivered: boolean; held: boolean })[] = [];
  private undelivered = 0;
  /** Technician → jobs where he holds a running offer, and job → those technicians. */
  private readonly liveByTech = new Map<string, Set<string>>();
  private readonly liveByJob = new Map<string, string[]>();
  /** Job → when it opened (orders `liveJobs`). */
  private readonly openedAt = new Map<string, number>();

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    return this.read(jobId, requestId);
  }

  private read(jobId: string, requestId: string | undefined): StoredJob | undefined {
    const r = this.jobs.get(jobId);
    if (!r) return undefined;
    const job: StoredJob = { jobId, version: r.version, state: JSON.parse(r.state), lastAt: r.lastAt };
    const a = requestId === undefined ? undefined : this.requests.get(key(jobId, requestId));
    if (a !== undefined) job.answer = JSON.parse(a);
    return job;
  }

  /** A version conflict, with the job as it stands and the step's request's answer (saves the re-read). */
  private versionConflict(step: Step): AppendResult {
    const current = this.read(step.event.jobId, step.request?.requestId);
    return current ? { ok: false, conflict: 'version', current } : { ok: false, conflict: 'version' };
  }

  async append(step: Step): Promise<AppendResult> {
    return this.apply(step);
  }

  async claimDue(
    now: number,
    limit: number,
    compute: (job: StoredJob, full: readonly string[]) => Step | null,
    skip?: ReadonlySet<string>,
  ): Promise<ClaimResult> {
    const due: [string, number][] = [];
    for (const [id, r] of this.jobs) {
      if (r.dueAt !== null && r.dueAt <= now && !skip?.has(id)) due.push([id, r.dueAt]);
    }
    due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    const claimed = due.slice(0, limit);
    // Computed and applied without yielding: nothing can interleave, as under the row locks of PostgreSQL.
    const applied: Step[] = [];
    const failures: ClaimResult['failures'] = [];
    for (const [id] of claimed) {
      const r = this.jobs.get(id)!;
      const full: string[] = [];
      for (let attempt = 0; ; attempt++) {
        let step: Step | null;
        try {
          step = compute(
            { jobId: id, version: r.version, state: JSON.parse(r.state), lastAt: r.lastAt },
            full,
          );
        } catch (error) {
          failures.push({ jobId: id, error });
          break;
        }
        if (!step) break;
        const a = this.apply(step);
        if (a.ok) {
          applied.push(step);
          break;
        }
        const winner = winnerOf(step);
        if (!winnerConflict(a.conflict) || winner === undefined)
          throw new Error(`claimDue: a claimed job conflicted (${a.conflict}); this is a bug`);
        if (attempt + 1 >= MAX_AWARD_TRIES) {
          failures.push({ jobId: id, error: awardFailed(id) });
          break;
        }
        full.push(winner);
      }
    }
    return { claimed: claimed.length, applied, failures };
  }

  async answer(jobId: string, requestId: string): Promise<AcceptOutcome | undefined> {
    const a = this.requests.get(key(jobId, requestId));
    return a === undefined ? undefined : JSON.parse(a);
  }

  async remember(jobId: string, requestId: string, outcome: AcceptOutcome): Promise<AcceptOutcome> {
    const k = key(jobId, requestId);
    const had = this.requests.get(k);
    if (had !== undefined) return JSON.parse(had);
    this.requests.set(k, JSON.stringify(outcome));
    return copy(outcome);
  }

  async setCapacity(technicianId: string, capacity: number): Promise<void> {
    checkCapacity(capacity);
    const t = this.techs.get(technicianId);
    if (t) t.capacity = capacity;
    else this.techs.set(technicianId, { load: 0, capacity });
  }

  async capacityOf(technicianId: string): Promise<
    | {
        /** Jobs the technician holds now. */
        load: number;
        /** Jobs the technician can hold at once. */
        capacity: number;
      }
    | undefined
  > {
    const t = this.techs.get(technicianId);
    return t ? { ...t } : undefined;
  }

  async liveJobs(technicianId: string): Promise<string[]> {
    const jobs = [...(this.liveByTech.get(technicianId) ?? [])];
    return jobs.sort((a, b) => this.openedAt.get(a)! - this.openedAt.get(b)! || (a < b ? -1 : 1));
  }

  async events(jobId: string): Promise<StoredEvent[]> {
    return (this.streams.get(jobId) ?? []).map((e) => JSON.parse(e));
  }

  async feed(
    cursor: FeedCursor,
    limit: number,
  ): Promise<{
    /** The events after `cursor`, at most `limit`. */
    events: StoredEvent[];
    /** Where the next call continues from. */
    cursor: FeedCursor;
  }> {
    const from = cursor === '' ? 0 : Number(cursor);
    const slice = this.log.slice(from, from + limit);
    return { events: slice.map((e) => JSON.parse(e)), cursor: String(from + slice.length) };
  }

  async deliver(limit: number, deliver: (entries: OutboxEntry[]) => Promise<void> | void): Promise<number> {
    const batch: (typeof this.outbox)[number][] = [];
    for (const e of this.outbox) {
      if (batch.length >= limit) break;
      if (!e.delivered && !e.held) batch.push(e);
    }
    if (batch.length === 0) return 0;
    for (const e of batch) e.held = true;
    try {
      await deliver(
        batch.map(({ id, jobId, fence, effect }) => ({ id, jobId, fence, effect: copy(effect) })),
      );
      for (const e of batch) e.delivered = true;
      this.undelivered -= batch.length;
      this.compact();
    } finally {
      for (const e of batch) e.held = false;
    }
    return batch.length;
  }

  private apply(step: Step): AppendResult {
    const { event } = step;
    const row = this.jobs.get(event.jobId);
    if (step.expectedVersion === 0) {
      if (row) return { ok: false, conflict: 'exists' };
    } else if (!row || row.version !== step.expectedVersion) {
      return this.versionConflict(step);
    }
    if (event.version !== step.expectedVersion + 1) {
      throw new InvalidArgumentError(
        `append(): event version ${event.version} does not follow ${step.expectedVersion}; pass expectedVersion + 1.`,
      );
    }
    let tech: { load: number; capacity: number } | undefined;
    if (step.reserve) {
      tech = this.techs.get(step.reserve.technicianId);
      if (tech && tech.load >= tech.capacity) return { ok: false, conflict: 'capacity' };
      if (!tech && step.reserve.capacity < 1) return { ok: false, conflict: 'capacity' };
    }
    const booked = event.reserved;
    if (booked && this.collides(booked, step.travelSpeedKmh ?? Number.POSITIVE_INFINITY)) {
      return { ok: false, conflict: 'booked' };
    }
    if (step.request && this.requests.has(key(event.jobId, step.request.requestId))) {
      return this.versionConflict(step);
    }
    // Checked: from here on every write succeeds.
    if (step.reserve) {
      if (tech) tech.load++;
      else this.techs.set(step.reserve.technicianId, { load: 1, capacity: step.reserve.capacity });
    }
    if (step.release) {
      const t = this.techs.get(step.release);
      if (t && t.load > 0) t.load--;
    }
    if (step.request) {
      this.requests.set(key(event.jobId, step.request.requestId), JSON.stringify(step.request.outcome));
    }
    if (event.unreserved) this.unbook(event.unreserved.technicianId, event.unreserved.jobId);
    if (booked) {
      const { technicianId, ...r } = booked;
      this.unbook(technicianId, r.jobId);
      this.bookings.set(technicianId, [...(this.bookings.get(technicianId) ?? []), r]);
    }
    this.jobs.set(event.jobId, {
      version: event.version,
      state: JSON.stringify(step.state),
      lastAt: event.at,
      dueAt: step.dueAt,
    });
    this.openedAt.set(event.jobId, step.state.openedAt);
    for (const t of this.liveByJob.get(event.jobId) ?? []) this.liveByTech.get(t)?.delete(event.jobId);
    const live = liveOf(step.state);
    this.liveByJob.set(event.jobId, live);
    for (const t of live) {
      let jobs = this.liveByTech.get(t);
      if (!jobs) this.liveByTech.set(t, (jobs = new Set()));
      jobs.add(event.jobId);
    }
    const text = JSON.stringify(event);
    let stream = this.streams.get(event.jobId);
    if (!stream) this.streams.set(event.jobId, (stream = []));
    stream.push(text);
    this.log.push(text);
    event.effects.forEach((effect, i) => {
      this.outbox.push({
        id: `${event.jobId}:${event.version}:${i}`,
        jobId: event.jobId,
        fence: event.version,
        effect: copy(effect),
        delivered: false,
        held: false,
      });
      this.undelivered++;
    });
    const reserved = step.reserve ? this.techs.get(step.reserve.technicianId)! : undefined;
    return reserved && reserved.load >= reserved.capacity
      ? { ok: true, version: event.version, full: true }
      : { ok: true, version: event.version };
  }

  /** Whether a window collides with another booking of its technician (travel at `speedKmh`). */
  private collides(b: NonNullable<StoredEvent['reserved']>, speedKmh: number): boolean {
    const list = this.bookings.get(b.technicianId) ?? [];
    return collidesWithAny(list, b.start, b.end, b.lat, b.lon, speedKmh, b.jobId);
  }

  private unbook(technicianId: string, jobId: string): void {
    const list = this.bookings.get(technicianId)?.filter((r) => r.jobId !== jobId) ?? [];
    if (list.length > 0) this.bookings.set(technicianId, list);
    else this.bookings.delete(technicianId);
  }

  /** Drops delivered entries once they are most of the outbox (amortised O(1) per entry). */
  private compact(): void {
    if (this.outbox.length < 1024 || this.undelivered * 2 > this.outbox.length) return;
    const keep = this.outbox.filter((e) => !e.delivered || e.held);
    this.outbox.length = 0;
    for (const e of keep) this.outbox.push(e);
  }
}

function key(jobId: string, requestId: string): string {
  return `${jobId}\u0000${requestId}`;
}

export function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new InvalidArgumentError(`setCapacity(): capacity is ${String(capacity)}; pass an integer ≥ 0.`);
  }
}
