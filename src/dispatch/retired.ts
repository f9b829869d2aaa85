/**
 * Winning requests of forgotten jobs, by job id, each until a time: a late retry of an accept
 * whose job was forgotten — and whose id was then opened again — is refused instead of winning the
 * new job. Entries expire `retainClosedMs` after the job is forgotten (bounded memory).
 */

import { TimeHeap } from '../shared/time-heap.js';
import { MAX_TIME } from './log.js';
import { requestKey, type SessionState } from './session.js';

/** A forgotten job's winning request keys and until when they are kept. */
export interface Retired {
  until: number;
  keys: string[];
}

export class RetiredRequests {
  private byJob = new Map<string, Retired>();
  private expiry = new TimeHeap<string>();

  get size(): number {
    return this.byJob.size;
  }

  get(jobId: string): Retired | undefined {
    return this.byJob.get(jobId);
  }

  /**
   * Remembers a forgotten job's winning request (and those of its earlier incarnations) for another
   * `retainMs`, so a late retry cannot win a new job opened with the same id. False when there is
   * nothing to remember (no winning request id, or jobs are never forgotten).
   */
  retire(s: SessionState, at: number, retainMs: number): boolean {
    const keys = s.retired === undefined ? [] : s.retired.slice();
    const w = s.winner;
    if (w !== null && w.requestId !== null) keys.push(requestKey(w.technicianId, w.requestId));
    if (keys.length === 0 || retainMs === Number.POSITIVE_INFINITY) return false;
    this.put(s.job.id, { until: Math.min(MAX_TIME, at + retainMs), keys });
    return true;
  }

  /** Stores an entry and schedules its expiry. */
  put(jobId: string, r: Retired): void {
    this.byJob.set(jobId, r);
    this.expiry.push(r.until, 0, jobId);
  }

  /** Stores an entry whose expiry is still scheduled (an undone removal). */
  set(jobId: string, r: Retired): void {
    this.byJob.set(jobId, r);
  }

  delete(jobId: string): void {
    this.byJob.delete(jobId);
  }

  /** Removes the entries expired by `now`, calling `removed` for each (to journal it). */
  expire(now: number, removed: (jobId: string, r: Retired) => void): void {
    for (;;) {
      const t = this.expiry.peekAt();
      if (t === undefined || t > now) return;
      const jobId = this.expiry.peekValue();
      this.expiry.pop();
      const r = this.byJob.get(jobId);
      if (r === undefined || r.until !== t) continue; // stale entry
      this.byJob.delete(jobId);
      removed(jobId, r);
    }
  }

  /** The entries as plain data (snapshots). */
  toJSON(): { jobId: string; until: number; keys: string[] }[] {
    return [...this.byJob].map(([jobId, r]) => ({ jobId, until: r.until, keys: r.keys.slice() }));
  }

  /** An independent copy (a failed replay puts it back). */
  clone(): RetiredRequests {
    const c = new RetiredRequests();
    c.byJob = new Map(this.byJob);
    c.expiry = this.expiry.clone();
    return c;
  }
}
