/**
 * The dispatcher's event log: the sequence number, hash and time of the last event applied, the
 * events kept in memory and the checkpoint they follow. With `keepLog: 'checkpoint'` the events
 * are folded into a fresh checkpoint once they outnumber the jobs twice over, so forgotten jobs'
 * events leave memory.
 */

import { describe, InvalidArgumentError, InvalidStateError } from '../shared/errors.js';
import type { DispatchEvent, DispatcherSnapshot } from './event-types.js';
import { GENESIS_HASH } from './record.js';

/** Events kept before the log is folded into a checkpoint (at least; see `keepLog`). */
const CHECKPOINT_EVENTS = 10_000;

/** What {@link EventRecorder.save} returns: enough to put a failed replay back. */
export interface RecorderState {
  readonly events: DispatchEvent[];
  readonly base: DispatcherSnapshot;
  readonly seq: number;
  readonly hash: string;
  readonly clock: number | null;
}

/** @internal The dispatcher's log and checkpoint (see the module comment). */
export class EventRecorder {
  /** Sequence number of the last event applied (0 before any). */
  seq = 0;
  /** Hash of the last event (the chain's genesis before any). */
  hash = GENESIS_HASH;
  /** Time of the last event, or null before any. */
  clock: number | null = null;
  /** The snapshot {@link events} follows. */
  base!: DispatcherSnapshot;
  private events: DispatchEvent[] = [];

  /**
   * @param keepLog the dispatcher's option: keep every event, none, or since the checkpoint
   * @param snapshot the dispatcher's state now, as a snapshot (for the checkpoint)
   * @param jobs how many jobs the dispatcher holds now
   */
  constructor(
    private readonly keepLog: boolean | 'checkpoint',
    private readonly snapshot: () => DispatcherSnapshot,
    private readonly jobs: () => number,
  ) {}

  /** Records an applied event: it becomes the last one, and is kept if the log keeps events. */
  commit(event: DispatchEvent): void {
    this.seq = event.seq;
    if (event.hash !== undefined) this.hash = event.hash;
    this.clock = event.at;
    if (this.keepLog === false) return;
    this.events.push(event);
    if (this.keepLog === 'checkpoint' && this.events.length > Math.max(CHECKPOINT_EVENTS, 2 * this.jobs())) {
      this.base = this.snapshot();
      this.events = [];
    }
  }

  /** Kept events with `seq > sinceSeq`; events folded into the checkpoint are an error. */
  since(sinceSeq: number): DispatchEvent[] {
    if (!Number.isInteger(sinceSeq) || sinceSeq < 0) {
      throw new InvalidArgumentError(
        `eventLog(): sinceSeq is ${describe(sinceSeq)}; pass a sequence number ≥ 0.`,
      );
    }
    if (sinceSeq < this.base.seq) {
      throw new InvalidStateError(
        `eventLog(${sinceSeq}): events up to ${this.base.seq} were folded into checkpoint() to bound memory; use Dispatcher.restore(d.checkpoint()).replay(d.eventLog()), or keepLog: true to keep them all.`,
      );
    }
    const first = this.events[0]?.seq ?? this.seq + 1;
    return this.events.slice(Math.max(0, sinceSeq + 1 - first));
  }

  /** Drops kept events up to and including `seq`. */
  truncate(seq: number): void {
    const first = this.events[0]?.seq ?? this.seq + 1;
    this.events = this.events.slice(Math.max(0, seq + 1 - first));
  }

  /** A copy of the log's state, for {@link putBack}. */
  save(): RecorderState {
    return {
      events: this.events.slice(),
      base: this.base,
      seq: this.seq,
      hash: this.hash,
      clock: this.clock,
    };
  }

  /** Puts back a state from {@link save} (a replay that did not apply). */
  putBack(s: RecorderState): void {
    this.events = s.events;
    this.base = s.base;
    this.seq = s.seq;
    this.hash = s.hash;
    this.clock = s.clock;
  }
}
