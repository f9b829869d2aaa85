/**
 * Bits of a technician's flag word, kept per slot in the fleet and per entry in the index so the
 * planner can reject on bitmasks before reading anything else. Bit 0 marks a live index entry.
 */
export const F_ALIVE = 1;
export const F_ONLINE = 2;
export const F_FRIEND = 4;
export const F_PRO = 8;
export const F_BEST = 16;
/** load < capacity */
export const F_HAS_CAPACITY = 32;
/** has availability windows: check them on the slow path */
export const F_WINDOWS = 64;
/** has notification history: check the cap on the slow path */
export const F_NOTIFIED = 128;
