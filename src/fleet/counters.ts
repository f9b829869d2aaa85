/**
 * What the dispatcher learns about each technician — recent offers and awards (exponentially
 * decayed), accept rate and response time (moving averages), recent notification times — in
 * parallel typed arrays by slot; a slot's packed line is laid out in `./layout.ts`.
 */
import { describe, InvalidArgumentError } from '../shared/errors.js';
import type { TechnicianStats } from '../shared/types.js';
import { LINE_AT, LINE_AWARDS, LINE_F32, LINE_F64, LINE_OFFERS } from './layout.js';
import type { FleetOptions } from './options.js';

const WEEK_MS = 604_800_000;

export class FleetCounters {
  lines = new Float64Array(0);
  lines32 = new Float32Array(0);
  /** Accept-rate moving average (NaN = unknown). */
  acceptRate = new Float32Array(0);
  /** Response-time moving average, ms (NaN = unknown). */
  responseMs = new Float32Array(0);
  /** Recent notification times per slot (ascending), only for technicians notified at least once. */
  readonly notifications = new Map<number, number[]>();

  private readonly halfLifeMs: number;
  private readonly alpha: number;
  private readonly historyLength: number;

  /** Checks the counters' options of {@link FleetOptions} and fills in their defaults. */
  constructor(options: FleetOptions) {
    const { counterHalfLifeMs = WEEK_MS, movingAverageAlpha = 0.1, notificationHistory = 64 } = options;
    if (!(counterHalfLifeMs > 0) || !Number.isFinite(counterHalfLifeMs)) {
      throw new InvalidArgumentError(
        `FleetOptions.counterHalfLifeMs is ${counterHalfLifeMs}; pass a time in ms > 0.`,
      );
    }
    if (!(movingAverageAlpha > 0 && movingAverageAlpha <= 1)) {
      throw new InvalidArgumentError(
        `FleetOptions.movingAverageAlpha is ${movingAverageAlpha}; pass a value in (0, 1].`,
      );
    }
    if (!Number.isInteger(notificationHistory) || notificationHistory < 1 || notificationHistory > 1024) {
      throw new InvalidArgumentError(
        `FleetOptions.notificationHistory is ${notificationHistory}; pass a whole number in 1…1024.`,
      );
    }
    this.halfLifeMs = counterHalfLifeMs;
    this.alpha = movingAverageAlpha;
    this.historyLength = notificationHistory;
  }

  /** Room for `n` slots, keeping what is there. */
  grow(n: number): void {
    const lines = new Float64Array(n * LINE_F64);
    lines.set(this.lines);
    this.lines = lines;
    this.lines32 = new Float32Array(lines.buffer);
    const grow = (a: Float32Array) => {
      const b = new Float32Array(n).fill(Number.NaN);
      b.set(a);
      return b;
    };
    this.acceptRate = grow(this.acceptRate);
    this.responseMs = grow(this.responseMs);
  }

  /** Seeds a slot's counters from `stats` (a new technician, or `stats` given again). */
  seed(slot: number, s: TechnicianStats = {}): void {
    this.lines32[slot * LINE_F32 + LINE_OFFERS] = s.recentOffers ?? 0;
    this.lines32[slot * LINE_F32 + LINE_AWARDS] = s.recentAwards ?? 0;
    this.lines[slot * LINE_F64 + LINE_AT] = Number.NEGATIVE_INFINITY;
    this.acceptRate[slot] = s.acceptRate ?? Number.NaN;
    this.responseMs[slot] = s.responseMs ?? Number.NaN;
  }

  /**
   * Decay factor of a slot's counters from their last update to `now` (1 if `now` is earlier).
   * Counters seeded through `stats` have no time yet: they count in full until the first record.
   */
  decay(slot: number, now: number): number {
    const at = this.lines[slot * LINE_F64 + LINE_AT]!;
    if (at === Number.NEGATIVE_INFINITY) return 1;
    const dt = now - at;
    return dt > 0 ? 2 ** (-dt / this.halfLifeMs) : 1;
  }

  /** Decayed recent offers and awards of a slot at `now`. */
  at(slot: number, now: number): { offers: number; awards: number } {
    const f = this.decay(slot, now);
    const o = slot * LINE_F32;
    return { offers: this.lines32[o + LINE_OFFERS]! * f, awards: this.lines32[o + LINE_AWARDS]! * f };
  }

  /** Decays a slot's counters to `now` and adds `offers` and `awards`. */
  bump(slot: number, now: number, offers: number, awards: number): void {
    const f = this.decay(slot, now);
    const o = slot * LINE_F32;
    this.lines32[o + LINE_OFFERS] = this.lines32[o + LINE_OFFERS]! * f + offers;
    this.lines32[o + LINE_AWARDS] = this.lines32[o + LINE_AWARDS]! * f + awards;
    if (now > this.lines[slot * LINE_F64 + LINE_AT]!) this.lines[slot * LINE_F64 + LINE_AT] = now;
  }

  /** Records a notification at `now`; true when it is the slot's first. */
  notify(slot: number, now: number): boolean {
    this.bump(slot, now, 1, 0);
    let times = this.notifications.get(slot);
    const first = times === undefined;
    if (!times) {
      times = [];
      this.notifications.set(slot, times);
    }
    // Kept in time order (callers may record late): the cap test reads one element by position.
    let i = times.length;
    times.push(now);
    while (i > 0 && times[i - 1]! > now) {
      times[i] = times[i - 1]!;
      i--;
    }
    times[i] = now;
    if (times.length > this.historyLength) times.shift();
    return first;
  }

  /** Folds an answer into the moving averages (`responseMs` omitted: an offer that expired). */
  respond(slot: number, id: string, accepted: boolean, responseMs?: number): void {
    if (typeof accepted !== 'boolean') {
      throw new InvalidArgumentError(
        `recordResponse('${id}', ${describe(accepted)}): pass accepted as true or false.`,
      );
    }
    // Validate before the first write: a rejected call must leave the accept rate alone too.
    if (responseMs !== undefined && (!(responseMs >= 0) || !Number.isFinite(responseMs))) {
      throw new InvalidArgumentError(
        `recordResponse('${id}'): responseMs is ${describe(responseMs)}; pass ms ≥ 0.`,
      );
    }
    const a = this.alpha;
    const ar = this.acceptRate[slot]!;
    const x = accepted ? 1 : 0;
    this.acceptRate[slot] = Number.isNaN(ar) ? x : ar + a * (x - ar);
    if (responseMs !== undefined) {
      const rm = this.responseMs[slot]!;
      this.responseMs[slot] = Number.isNaN(rm) ? responseMs : rm + a * (responseMs - rm);
    }
  }

  /**
   * The winner cancelled an assigned job, or did not show up: the one place that says what that
   * costs him. It counts as a refusal in the accept-rate moving average (the responsiveness that
   * scoring reads), on top of the accept it already counted; the award stays in `recentAwards`
   * (fairness saw him take the job), the response time is left alone.
   */
  cancelled(slot: number): void {
    const ar = this.acceptRate[slot]!;
    this.acceptRate[slot] = Number.isNaN(ar) ? 0 : ar + this.alpha * (0 - ar);
  }

  /**
   * Whether a slot had at least `max` notifications within `windowMs` before `now` — the
   * notification cap — in O(1): the times are sorted, so it is whether the `max`-th most recent
   * one is inside the window.
   */
  atCap(slot: number, now: number, windowMs: number, max: number): boolean {
    if (max <= 0) return true;
    const times = this.notifications.get(slot);
    if (!times || times.length < max) return false;
    return times[times.length - max]! > now - windowMs;
  }

  /** Notifications of a slot within `windowMs` before `now`. */
  within(slot: number, now: number, windowMs: number): number {
    const times = this.notifications.get(slot);
    if (!times) return 0;
    let n = 0;
    for (let i = times.length - 1; i >= 0 && times[i]! > now - windowMs; i--) n++;
    return n;
  }

  get byteLength(): number {
    return this.lines.byteLength + this.acceptRate.byteLength + this.responseMs.byteLength;
  }
}
