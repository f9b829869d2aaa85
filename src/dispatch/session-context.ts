/**
 * The working copy of a session inside one transition ({@link Ctx}): the draft state, which copies
 * the offers only once something changes them, the effects produced so far, and the offer lookup by
 * technician that every step uses.
 */

import type { Draft, SessionEnv, SessionState } from './session-types.js';
import type { Effect, OfferRecord } from './types.js';

/** Position of a technician's offer in `offers`, or -1. */
export function positionOf(s: Pick<SessionState, 'offers' | 'index'>, technicianId: string): number {
  const i = s.index.get(technicianId);
  if (i === undefined) return -1;
  if (s.offers[i]?.technicianId === technicianId) return i;
  // Another version of this session (a branch) used the position: scan.
  return s.offers.findIndex((x) => x.technicianId === technicianId);
}

/** The offer a session made to a technician, if any. */
export function offerOf(
  s: Pick<SessionState, 'offers' | 'index'>,
  technicianId: string,
): Readonly<OfferRecord> | undefined {
  const i = positionOf(s, technicianId);
  return i < 0 ? undefined : s.offers[i];
}

/** Working context of one transition. */
export class Ctx {
  readonly d: Draft;
  readonly effects: Effect[] = [];
  private ownOffers = false;
  constructor(
    state: SessionState,
    readonly now: number,
    readonly env: SessionEnv,
  ) {
    this.d = { ...state };
  }

  setOffer(id: string, record: OfferRecord): void {
    const { d } = this;
    if (!this.ownOffers) {
      d.offers = d.offers.slice();
      this.ownOffers = true;
    }
    const offers = d.offers as OfferRecord[];
    const i = positionOf(d, id);
    if (i < 0) {
      d.index.set(id, offers.length);
      offers.push(record);
    } else {
      offers[i] = record;
    }
  }

  base(): { jobId: string; partner?: string; at: number } {
    const { job } = this.d;
    return job.partner === undefined
      ? { jobId: job.id, at: this.now }
      : { jobId: job.id, partner: job.partner, at: this.now };
  }
}
