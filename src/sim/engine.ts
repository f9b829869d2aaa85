/**
 * A SimPy-shaped discrete-event environment with a virtual clock: `now`, `schedule`, `peek`,
 * `step`, `run(until)`. Events live in a binary heap keyed by (time, sequence), so events due at
 * the same time run first-in-first-out and a run is fully determined by what was scheduled.
 */

import { InvalidArgumentError, InvalidStateError, TimeHeap } from 'crowd-dispatch';

/** An action run when its event is due; it may schedule more events. */
export type SimAction = () => void;

/**
 * A discrete-event environment. Time is in ms on any epoch (the simulator uses 0 = Monday 00:00).
 * @example
 * const env = new Environment();
 * const log: string[] = [];
 * env.schedule(10, () => log.push(`b at ${env.now}`));
 * env.schedule(5, () => log.push(`a at ${env.now}`));
 * env.run(); // log = ['a at 5', 'b at 10']
 */
export class Environment {
  private clock: number;
  private seq = 0;
  /** Events keyed by (time, sequence number). */
  private readonly queue = new TimeHeap<SimAction>();
  private readonly cancelled = new Set<number>();

  /** @param initialTime the clock's starting value, ms. @default 0 */
  constructor(initialTime = 0) {
    if (!Number.isFinite(initialTime)) {
      throw new InvalidArgumentError(`Environment: initialTime is ${initialTime}; pass a finite time in ms.`);
    }
    this.clock = initialTime;
  }

  /** The current simulated time, ms. */
  get now(): number {
    return this.clock;
  }

  /** Number of scheduled events not yet run (cancelled ones included until they surface). */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Runs `action` `delay` ms from now; returns an id for {@link cancel}. Throws on a negative or
   * non-finite delay (`Negative delay -3`).
   */
  schedule(delay: number, action: SimAction): number {
    if (!(delay >= 0)) {
      throw new InvalidArgumentError(
        Number.isNaN(delay) ? `Delay is NaN; pass a number of ms ≥ 0.` : `Negative delay ${delay}`,
        'delay',
      );
    }
    if (delay === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError('Delay is Infinity; pass a finite number of ms.', 'delay');
    }
    return this.push(this.clock + delay, action);
  }

  /** Runs `action` at absolute time `time` (≥ now); returns an id for {@link cancel}. */
  at(time: number, action: SimAction): number {
    if (!Number.isFinite(time))
      throw new InvalidArgumentError(`Time is ${time}; pass a finite time in ms.`, 'time');
    if (time < this.clock) {
      throw new InvalidArgumentError(
        `Time ${time} is in the past (now is ${this.clock}); schedule at now or later.`,
      );
    }
    return this.push(time, action);
  }

  /** Cancels a scheduled event; cancelling one that already ran or was cancelled does nothing. */
  cancel(id: number): void {
    if (id >= 0 && id < this.seq) this.cancelled.add(id);
  }

  /** Time of the next event, or `Infinity` when none is scheduled. */
  peek(): number {
    this.dropCancelled();
    return this.queue.peekAt() ?? Number.POSITIVE_INFINITY;
  }

  /** Runs the next event. Throws {@link InvalidStateError} when nothing is scheduled. */
  step(): void {
    this.dropCancelled();
    const time = this.queue.peekAt();
    if (time === undefined) {
      throw new InvalidStateError('No scheduled events: schedule one first, or check peek() before step().');
    }
    const action = this.queue.peekValue();
    this.queue.pop();
    this.clock = time;
    action();
  }

  /**
   * Runs events until none is left or the next one is due after `until` (then the clock is set to
   * `until`, like SimPy). Events due exactly at `until` run.
   */
  run(until = Number.POSITIVE_INFINITY): void {
    if (Number.isNaN(until)) throw new InvalidArgumentError('run(until): until is NaN; pass a time in ms.');
    if (until < this.clock) {
      throw new InvalidArgumentError(`run(until): until (${until}) must not be before now (${this.clock}).`);
    }
    for (;;) {
      const next = this.peek();
      if (next === Number.POSITIVE_INFINITY || next > until) break;
      this.step();
    }
    if (until !== Number.POSITIVE_INFINITY) this.clock = until;
  }

  private dropCancelled(): void {
    const q = this.queue;
    while (q.size > 0 && this.cancelled.size > 0 && this.cancelled.delete(q.peekOrdinal())) q.pop();
  }

  private push(time: number, action: SimAction): number {
    const id = this.seq++;
    this.queue.push(time, id, action);
    return id;
  }
}
