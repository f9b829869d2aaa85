/**
 * The fleet counters an input changes — offers, refusals, awards, releases — each written with the
 * technician's previous counters saved in the undo journal, so a rolled-back input leaves the fleet
 * exactly as it was.
 */
import type { Fleet, SavedCounters } from '../fleet/fleet.js';
import type { Reservation } from '../fleet/reservations.js';
import type { Journal } from './journal.js';

export class FleetWriter {
  /** Whether inputs write the fleet (a replay may leave it alone). */
  enabled = true;

  /** @param undoOp the journal code under which the saved counters are pushed (see {@link undo}). */
  constructor(
    private readonly fleet: Fleet,
    private readonly journal: Journal,
    private readonly undoOp: number,
  ) {}

  /** A notification went out at `at`. */
  offer(id: string, at: number): void {
    const slot = this.save(id, true);
    if (slot >= 0) this.fleet.recordOffer(id, at);
  }

  /** An offer was declined (after `ms`) or expired unanswered. */
  refused(id: string, ms?: number): void {
    if (this.save(id, false) >= 0) this.fleet.recordResponse(id, false, ms);
  }

  /** He won the job at `at`, answering after `ms` (an appointment: no load, see {@link reserve}). */
  award(id: string, at: number, ms: number, holdsLoad = true): void {
    if (this.save(id, false) < 0) return;
    this.fleet.recordResponse(id, true, ms);
    this.fleet.recordAward(id, at, holdsLoad);
  }

  /** He holds an assigned appointment: its window is reserved. */
  reserve(id: string, r: Reservation): void {
    if (!this.enabled || !this.fleet.has(id)) return;
    const slot = this.fleet.slotOf(id);
    const had = this.fleet.reservations.of(slot).find((x) => x.jobId === r.jobId);
    this.fleet.reservations.add(slot, r);
    this.journal.push(this.undoOp, { slot, jobId: r.jobId, had });
  }

  /** His appointment was completed or cancelled: the reservation is released. */
  unreserve(id: string, jobId: string): void {
    if (!this.enabled || !this.fleet.has(id)) return;
    const slot = this.fleet.slotOf(id);
    const had = this.fleet.reservations.of(slot).find((x) => x.jobId === jobId);
    if (had === undefined) return;
    this.fleet.reservations.remove(slot, jobId);
    this.journal.push(this.undoOp, { slot, jobId, had });
  }

  /** The winner cancelled the job or did not show up. */
  cancelled(id: string): void {
    if (this.save(id, false) >= 0) this.fleet.recordCancellation(id);
  }

  /** The winner's load is released (once: only while he holds a load). */
  release(id: string): void {
    const { fleet } = this;
    if (!fleet.has(id) || fleet.load[fleet.slotOf(id)]! === 0) return;
    if (this.save(id, false) >= 0) fleet.release(id);
  }

  /** Puts back counters or a reservation saved by a write (the journal's undo of {@link undoOp}). */
  undo(saved: unknown): void {
    if ('jobId' in (saved as object)) {
      const { slot, jobId, had } = saved as { slot: number; jobId: string; had: Reservation | undefined };
      this.fleet.reservations.remove(slot, jobId);
      if (had !== undefined) this.fleet.reservations.add(slot, had);
      return;
    }
    this.fleet.restoreCounters(saved as SavedCounters);
  }

  /** Saves the technician's counters in the journal; his slot, or −1 when nothing is to be written. */
  private save(id: string, withTimes: boolean): number {
    if (!this.enabled) return -1;
    const slot = this.fleet.findSlot(id);
    if (slot >= 0) this.journal.push(this.undoOp, this.fleet.saveCounters(slot, withTimes));
    return slot;
  }
}
