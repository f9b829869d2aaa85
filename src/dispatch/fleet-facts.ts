/**
 * What the dispatcher reads from the fleet while handling an input — eligibility at send time and
 * at accept — in one place. Every answer is recorded as a fact in the event, so a replay reads
 * the facts instead.
 */
import { F_HAS_CAPACITY, F_NOTIFIED, F_ONLINE, F_WINDOWS, type Fleet } from '../fleet.js';
import { M_STRIDE } from '../geo/grid.js';
import type { Policy } from '../policy.js';
import type { IneligibleReason } from './types.js';

/**
 * Why a technician cannot take a job now (null when he can), read from the fleet. `capacity: false`
 * leaves capacity out, for a shared store that reserves it itself (a replica's view may be stale).
 */
export function ineligible(
  fleet: Fleet,
  technicianId: string,
  certPartner: string | null,
  capacity = true,
): IneligibleReason | null {
  const slot = fleet.findSlot(technicianId);
  if (slot < 0) return 'removed';
  const flags = fleet.flags[slot]!;
  if ((flags & F_ONLINE) === 0) return 'offline';
  if (capacity && (flags & F_HAS_CAPACITY) === 0) return 'at_capacity';
  if (certPartner !== null) {
    const bit = fleet.partnerBits.get(certPartner);
    const certs = fleet.index.meta[fleet.index.slotEntry[slot]! * M_STRIDE + 2]!;
    if (bit === undefined || (certs & bit) === 0) return 'not_certified';
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
): boolean {
  if (ineligible(fleet, technicianId, certPartner) !== null) return true;
  const slot = fleet.findSlot(technicianId);
  const flags = fleet.index.meta[fleet.index.slotEntry[slot]! * M_STRIDE]!;
  if (flags & F_WINDOWS && !fleet.isAvailable(slot, flags, now)) return true;
  const cap = policy.notificationCap;
  return (
    cap !== null && (flags & F_NOTIFIED) !== 0 && fleet.atNotificationCap(slot, now, cap.windowMs, cap.max)
  );
}
