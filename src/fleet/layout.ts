/**
 * The packed layouts of the fleet, named once — index entries (`GridIndex.coords`, `GridIndex.meta`)
 * and a slot's counter line (`FleetCounters.lines`, `lines32`): every reader and writer uses
 * these offsets, never a bare number.
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

/**
 * A slot's line: 24 bytes read by scoring with one cache miss. As float64 `lines[slot *
 * LINE_F64 + LINE_QUALITY]` the quality (the job-independent part of the score) and `+ LINE_AT`
 * the time the counters refer to (-Infinity for counters seeded through `stats`: they count in full
 * until the first record); as float32 `lines32[slot * LINE_F32 + LINE_OFFERS]` recent offers and
 * `+ LINE_AWARDS` recent awards, decayed to that time.
 */
export const LINE_F64 = 3;
export const LINE_QUALITY = 0;
export const LINE_AT = 1;
export const LINE_F32 = 6;
export const LINE_OFFERS = 4;
export const LINE_AWARDS = 5;
