/**
 * What the dispatcher reads from the fleet while handling an input — eligibility at send time and
 * at accept — in one place. Every answer is recorded as a fact in the event, so a replay reads
 * the facts instead.
 */

import { F_HAS_CAPACITY, F_NOTIFIED, F_ONLINE, F_WINDOWS, type Fleet } from '../fleet/fleet.js';
import { Meta } from '../fleet/layout.js';
import { busyStretch } from '../plan/appointments.js';
import type { Policy } from '../plan/policy.js';
import type { Job } from '../shared/types.js';
import type { IneligibleReason } from './types.js';

/**
 * Why a technician cannot take a job now (null when he can), read from the fleet. `capacity: false`
 * leaves capacity out, for a shared store that reserves it itself (a replica's view may be stale).
 * With `booking`, also his reservations and, for an appointment, his windows over its window (an
 * appointment never needs capacity: it holds a reservation instead).
 */
export function ineligible(
  fleet: Fleet,
  technicianId: string,
  certPartner: string | null,
  capacity = true,
  booking?: { job: Job; policy: Policy; now: number },
): IneligibleReason | null {
  const slot = fleet.findSlot(technicianId);
  if (slot < 0) return 'removed';
  const flags = fleet.flags[slot]!;
  if ((flags & F_ONLINE) === 0) return 'offline';
  const w = booking?.job.window;
  if (capacity && w === undefined && (flags & F_HAS_CAPACITY) === 0) return 'at_capacity';
  if (certPartner !== null) {
    const bit = fleet.partnerBits.get(certPartner);
    const certs = fleet.index.meta[fleet.index.slotEntry[slot]! * Meta.STRIDE + Meta.CERTS]!;
    if (bit === undefined || (certs & bit) === 0) return 'not_certified';
  }
  if (booking === undefined) return null;
  const { job, policy, now } = booking;
  if (w !== undefined) {
    const indexFlags = fleet.index.meta[fleet.index.slotEntry[slot]! * Meta.STRIDE + Meta.FLAGS]!;
    if (flags & F_WINDOWS && !fleet.isAvailableIn(slot, indexFlags, w.start, w.end))
      return 'unavailable_in_window';
  }
  if (fleet.reservations.size > 0) {
    const b = busyStretch(job, policy, now);
    const speed = policy.appointments.travelSpeedKmh;
    if (fleet.reservations.conflicts(slot, b.start, b.end, job.lat, job.lon, speed, job.id))
      return 'booked_in_window';
  }
  return null;
}

/**
 * Whether a planned technician must be skipped when his wave goes out: no longer eligible, or
 * (rules of the plan that depend on time) outside his availability windows or at the policy's
 * notification cap by now.
 */
export function skipAtSend(
  fleet: Fleet,
  policy: Policy,
  technicianId: string,
  certPartner: string | null,
  now: number,
  job: Job,
): boolean {
  if (ineligible(fleet, technicianId, certPartner, true, { job, policy, now }) !== null) return true;
  const slot = fleet.findSlot(technicianId);
  const flags = fleet.index.meta[fleet.index.slotEntry[slot]! * Meta.STRIDE + Meta.FLAGS]!;
  if (job.window === undefined && flags & F_WINDOWS && !fleet.isAvailable(slot, flags, now)) return true;
  const cap = policy.notificationCap;
  return (
    cap !== null && (flags & F_NOTIFIED) !== 0 && fleet.atNotificationCap(slot, now, cap.windowMs, cap.max)
  );
}
