/**
 * A dispatcher's state as a snapshot, and rebuilding it (docs/reliability.md): loading a checked
 * snapshot into a fresh core and log, and applying a checked log with the facts it recorded, all
 * or nothing — a replay of the log, or a snapshot plus the log's tail, rebuilds the same state
 * without the fleet. The facade ({@link Dispatcher}) checks what it is given and calls these.
 */

import { CrowdDispatchError, describe, InvalidRecordError } from '../shared/errors.js';
import type { DispatchCore } from './core.js';
import type { DispatchEvent, DispatcherSnapshot } from './event-types.js';
import { deepFreeze, snapshotDigest } from './record.js';
import type { EventRecorder } from './recorder.js';

/** The state now, as a snapshot: a fresh JSON copy of the core and the log's position, with its digest. */
export function snapshotOf(core: DispatchCore, rec: EventRecorder): DispatcherSnapshot {
  const snap: DispatcherSnapshot = {
    version: 1,
    seq: rec.seq,
    hash: rec.hash,
    now: rec.clock,
    ...core.snapshot(),
  };
  const copy = JSON.parse(JSON.stringify(snap)) as DispatcherSnapshot;
  copy.digest = snapshotDigest(copy);
  return copy;
}

/** Loads a checked snapshot into a fresh core and log; it becomes the log's checkpoint. */
export function restoreFrom(core: DispatchCore, rec: EventRecorder, copy: DispatcherSnapshot): void {
  rec.seq = copy.seq;
  rec.hash = copy.hash;
  rec.clock = copy.now;
  core.restore(copy);
  core.syncReservations();
  rec.base = snapshotOf(core, rec);
}

/**
 * Applies a checked log using the facts its events recorded, all or nothing: if any event does
 * not match, the core and the log (and, with `applyToFleet`, the fleet) are left as they were.
 */
export function replayLog(
  core: DispatchCore,
  rec: EventRecorder,
  log: readonly DispatchEvent[],
  applyToFleet: boolean,
): void {
  const saved = { core: core.backup(), rec: rec.save() };
  core.writes.enabled = applyToFleet;
  try {
    for (const event of log) {
      core.env.replay(event.facts, event.at);
      core.apply(event);
      core.env.done(`[${event.seq - saved.rec.seq - 1}].facts`);
      rec.commit(deepFreeze(event));
    }
    // Appointment reservations follow the sessions even when the fleet was left alone.
    core.syncReservations();
  } catch (error) {
    core.journal.rollback();
    core.putBack(saved.core);
    rec.putBack(saved.rec);
    if (error instanceof CrowdDispatchError) throw error;
    throw new InvalidRecordError(
      `replay(): the log does not apply (${describe(error)}); nothing was replayed.`,
    );
  } finally {
    core.journal.clear();
    core.env.live(rec.clock ?? 0);
    core.writes.enabled = true;
  }
}
