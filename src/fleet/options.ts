/** The options of a new `Fleet`, and the check of their shape. */

import { InvalidArgumentError } from '../shared/errors.js';
import { readFields } from '../shared/validate.js';

/** Options of a `Fleet`. */
export interface FleetOptions {
  /** Half-life of the recent offers/awards counters, ms. @default 604800000 (7 days) */
  counterHalfLifeMs?: number;
  /** Weight of the newest observation in the accept-rate and response-time moving averages. @default 0.1 */
  movingAverageAlpha?: number;
  /** Notification times kept per technician for the sliding-window cap. @default 64 */
  notificationHistory?: number;
  /** Technicians to allocate room for up front. @default 1024 */
  initialCapacity?: number;
}

const FLEET_OPTIONS = ['counterHalfLifeMs', 'movingAverageAlpha', 'notificationHistory', 'initialCapacity'];
/** The most slots allocated up front (the fleet grows past it on demand). */
const MAX_INITIAL_CAPACITY = 16_777_216;

/** Checks the options' shape and `initialCapacity` (the counters check their own). */
export function checkedOptions(options: FleetOptions): FleetOptions {
  const o = readFields(options, FLEET_OPTIONS, 'new Fleet', '', InvalidArgumentError);
  for (const k of FLEET_OPTIONS) {
    if (o[k] !== undefined && typeof o[k] !== 'number')
      throw new InvalidArgumentError(`new Fleet: FleetOptions.${k} is ${typeof o[k]}; pass a number.`, k);
  }
  const n = o.initialCapacity as number | undefined;
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_INITIAL_CAPACITY))
    throw new InvalidArgumentError(
      `new Fleet: FleetOptions.initialCapacity is ${n}; pass a whole number in 1…${MAX_INITIAL_CAPACITY}.`,
      'initialCapacity',
    );
  return o as FleetOptions;
}
