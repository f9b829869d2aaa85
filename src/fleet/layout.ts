/**
 * The packed layouts of the fleet, named once — index entries (`GridIndex.coords`, `GridIndex.meta`)
 * and a slot's counter line (`FleetCounters.lines`, `lines32`): every reader and writer uses
 * these offsets, never a bare number. The entry offsets are `const enum`s so that a bundler
 * writes them as literals into the scan and move loops (a module constant is a load per use).
 */

/** `coords` per entry: the unit vector x, y, z of the position, then the own radius as a squared chord; `STRIDE` numbers per entry. */
export enum Coord {
  X = 0,
  Y = 1,
  Z = 2,
  R2 = 3,
  STRIDE = 4,
}

/** `meta` per entry: the flag word (0 = dead entry), the skill mask, the certification mask, the slot; `STRIDE` numbers per entry. */
export enum Meta {
  FLAGS = 0,
  SKILLS = 1,
  CERTS = 2,
  SLOT = 3,
  STRIDE = 4,
}

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
