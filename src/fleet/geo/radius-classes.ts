/**
 * The radius classes of the grid index: a technician's entry is filed under the class of his own
 * service radius before its cell (the index's sort key is `class × cells + cell`), so a covering
 * query scans each class only out to the largest radius in it.
 */

import { kmToChord2 } from './sphere.js';

/**
 * Upper bounds (km) of the radius classes: a technician's class is the first bound at or above his
 * own radius (the last class takes everything else). The common radii (20–50 km) split into three
 * classes, so each is scanned about as far as its members reach; the long tail falls in classes
 * whose members are few, so the wide windows they need are mostly empty rows.
 */
export const CLASS_KM: readonly number[] = [30, 40, 50, 100, 200, 400, 1000];
/** Number of radius classes. */
export const CLASSES = CLASS_KM.length;
const CLASS_R2 = Float64Array.from(CLASS_KM, kmToChord2);

/** The radius class of a squared own-radius chord. */
export function radiusClass(r2: number): number {
  let c = 0;
  while (c < CLASSES - 1 && r2 > CLASS_R2[c]!) c++;
  return c;
}
