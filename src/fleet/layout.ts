/**
 * The packed layout of the fleet's index entries, named once: every reader and writer of
 * `GridIndex.coords` and `GridIndex.meta` uses these offsets, never a bare number.
 */

/** `coords` per entry: the unit vector x, y, z of the position, then the own radius as a squared chord. */
export const C_X = 0;
export const C_Y = 1;
export const C_Z = 2;
export const C_R2 = 3;
/** Numbers per entry in `coords`. */
export const C_STRIDE = 4;

/** `meta` per entry: the flag word (0 = dead entry), the skill mask, the certification mask, the slot. */
export const M_FLAGS = 0;
export const M_SKILLS = 1;
export const M_CERTS = 2;
export const M_SLOT = 3;
/** Numbers per entry in `meta`. */
export const M_STRIDE = 4;
