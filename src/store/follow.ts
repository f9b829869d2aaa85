/**
 * Keeps a replica's in-memory fleet counters (offers, responses, awards, load, appointment
 * reservations) in step with the
 * decisions every replica commits, by reading the store's shared event feed from a cursor. A store
 * that can wake followers (PostgreSQL LISTEN/NOTIFY) calls {@link FleetFollower.catchUp} on each
 * wake; polling works everywhere. The fleet's view is for planning only: capacity and who was
 * offered are decided in the store.
 */
import type { Effect } from '../dispatch/types.js';
import type { Fleet } from '../fleet/fleet.js';
import { type DispatchStore, FEED_START, type FeedCursor, type StoredEvent } from './types.js';

/**
 * Applies the shared feed to one fleet.
 * @example
 * const follower = new FleetFollower(store, fleet);
 * await follower.catchUp(); // on every wake-up, or on a timer
 */
export class FleetFollower {
  /** Position after the last event applied. */
  cursor: FeedCursor;
  /** Events applied so far. */
  applied = 0;
  private running: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly store: DispatchStore,
    private readonly fleet: Fleet,
    options: { cursor?: FeedCursor; batch?: number; onEvent?: (event: StoredEvent) => void } = {},
  ) {
    this.cursor = options.cursor ?? FEED_START;
    this.batch = options.batch ?? 500;
    this.onEvent = options.onEvent;
  }

  private readonly batch: number;
  private readonly onEvent: ((event: StoredEvent) => void) | undefined;

  /** Reads and applies every event after the cursor; concurrent calls coalesce. Returns events applied. */
  catchUp(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          for (;;) {
            const { events, cursor } = await this.store.feed(this.cursor, this.batch);
            for (const e of events) this.apply(e);
            this.cursor = cursor;
            total += events.length;
            if (events.length < this.batch) break;
          }
        } while (this.again);
      } finally {
        this.running = null;
      }
      return total;
    })();
    return this.running;
  }

  private apply(event: StoredEvent): void {
    const { fleet } = this;
    const booked = event.reserved;
    for (const e of event.effects) applyEffect(fleet, e, booked?.technicianId);
    if (booked && fleet.has(booked.technicianId)) {
      const { technicianId, ...r } = booked;
      fleet.reservations.add(fleet.slotOf(technicianId), r);
    }
    const freed = event.unreserved;
    if (freed && fleet.has(freed.technicianId)) fleet.unreserve(freed.technicianId, freed.jobId);
    if (event.declined && fleet.has(event.declined.technicianId)) {
      fleet.recordResponse(event.declined.technicianId, false, event.declined.responseMs);
    }
    if (event.released && fleet.has(event.released) && fleet.load[fleet.slotOf(event.released)]! > 0) {
      fleet.release(event.released);
    }
    const input = event.input;
    const cancelledBy =
      input.type === 'technicianCancel'
        ? input.technicianId
        : input.type === 'complete' && input.reason === 'technician_no_show'
          ? event.released
          : undefined;
    if (cancelledBy !== undefined && fleet.has(cancelledBy)) fleet.recordCancellation(cancelledBy);
    this.applied++;
    this.onEvent?.(event);
  }
}

/** `booked`: the winner of an appointment in this event (his award takes no load). */
function applyEffect(fleet: Fleet, e: Effect, booked: string | undefined): void {
  switch (e.type) {
    case 'notify':
      for (const id of e.technicianIds) if (fleet.has(id)) fleet.recordOffer(id, e.at);
      return;
    case 'expired':
      for (const id of e.technicianIds) if (fleet.has(id)) fleet.recordResponse(id, false);
      return;
    case 'assigned':
      if (fleet.has(e.technicianId)) {
        fleet.recordResponse(e.technicianId, true, e.responseMs);
        fleet.recordAward(e.technicianId, e.at, e.technicianId !== booked);
      }
      return;
    default:
      return;
  }
}
