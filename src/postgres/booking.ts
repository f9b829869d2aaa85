/**
 * One step on an open transaction of the PostgreSQL store, with its appointment booking: an
 * assignment of an appointment first takes the winner's booking lock and is refused (`booked`)
 * when its window collides with another booking of his — travel counted by the same `collidesWithAny`
 * the planner uses — so two replicas that each saw him free cannot both book him. The lock is
 * held to the transaction's end, so the next booking of the same technician sees this one.
 */
import { collidesWithAny } from '../fleet/reservations.js';
import type { Step } from '../store/types.js';
import type { PgClient } from './pg.js';
import { appendArgs } from './rows.js';
import type { Statements } from './sql.js';

/**
 * Appends `step` on `client` (inside a transaction or savepoint the caller owns) and keeps the
 * bookings table in step. Returns the `append` function's answer, or `booked`; on any answer
 * but `ok` and `full` nothing was written (the function returns its conflicts before writing).
 */
export async function appendWithBooking(client: PgClient, sql: Statements, step: Step): Promise<string> {
  const b = step.event.reserved;
  if (b) {
    await client.query(sql.bookingLock, [b.technicianId]);
    const held = await client.query(sql.bookingsOf, [b.technicianId]);
    const list = held.rows.map((row) => ({
      jobId: String(row.job_id),
      start: Number(row.start_at),
      end: Number(row.end_at),
      lat: Number(row.lat),
      lon: Number(row.lon),
    }));
    const speed = step.travelSpeedKmh ?? Number.POSITIVE_INFINITY;
    if (collidesWithAny(list, b.start, b.end, b.lat, b.lon, speed, b.jobId)) return 'booked';
  }
  const answer = String((await client.query(sql.append, appendArgs(step))).rows[0]!.r);
  if (answer !== 'ok' && answer !== 'full') return answer;
  const freed = step.event.unreserved;
  if (freed) await client.query(sql.unbook, [freed.jobId, freed.technicianId]);
  if (b) await client.query(sql.book, [b.jobId, b.technicianId, b.start, b.end, b.lat, b.lon]);
  return answer;
}

/** Whether a step touches the bookings table (and so needs a transaction of its own). */
export function booksOrFrees(step: Step): boolean {
  return step.event.reserved !== undefined || step.event.unreserved !== undefined;
}
