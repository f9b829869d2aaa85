/**
 * The latitude/longitude cell grid of the index: cell keys, and the rows and columns a query
 * window of a given radius covers (exact on the sphere: the longitude half-width is the asin of
 * sin(radius) / cos(lat), and windows that reach a pole or wrap the globe take every column).
 */
import { EARTH_RADIUS_KM } from './sphere.js';

/** Grid resolution in degrees (rows and columns). */
export const CELL_DEG = 0.125;
/** Rows of the grid (latitude bands). */
export const ROWS = 180 / CELL_DEG;
/** Columns of the grid (longitude bands). */
export const COLS = 360 / CELL_DEG;
/** Cells of the grid. */
export const CELLS = ROWS * COLS;

const DEG = 180 / Math.PI;
const EPS_DEG = 1e-9;

/** The row (latitude band) of a latitude, clamped to the grid. */
export function rowOf(lat: number): number {
  const r = Math.floor((lat + 90) / CELL_DEG);
  return r < 0 ? 0 : r >= ROWS ? ROWS - 1 : r;
}

/** The column (longitude band) of a longitude, clamped to the grid. */
export function colOf(lon: number): number {
  const c = Math.floor((lon + 180) / CELL_DEG);
  return c < 0 ? 0 : c >= COLS ? COLS - 1 : c;
}

/** The cell key of a coordinate (row-major). */
export function cellKey(lat: number, lon: number): number {
  return rowOf(lat) * COLS + colOf(lon);
}

/**
 * Writes the window of every point within `km` of (lat, lon) into `out`: rows `out[0]…out[1]`,
 * columns `[out[2], out[3]] ∪ [out[4], out[5]]` (the second interval is empty unless the window
 * crosses the antimeridian).
 */
export function queryWindow(lat: number, lon: number, km: number, out: Int32Array): void {
  const angle = km / EARTH_RADIUS_KM;
  const angleDeg = angle * DEG + EPS_DEG;
  const latMin = lat - angleDeg;
  const latMax = lat + angleDeg;
  out[0] = rowOf(latMin);
  out[1] = rowOf(latMax);
  let a0 = 0;
  let b0 = COLS - 1;
  let a1 = 1;
  let b1 = 0; // empty second interval
  const cosLat = Math.cos((lat * Math.PI) / 180);
  const sinA = Math.sin(Math.min(angle, Math.PI / 2));
  if (latMax < 90 && latMin > -90 && angle < Math.PI / 2 && sinA < cosLat) {
    const dLon = Math.asin(sinA / cosLat) * DEG + EPS_DEG;
    const lo = Math.floor((lon - dLon + 180) / CELL_DEG);
    const hi = Math.floor((lon + dLon + 180) / CELL_DEG);
    if (hi - lo + 1 < COLS) {
      if (lo < 0) {
        a0 = 0;
        b0 = hi;
        a1 = lo + COLS;
        b1 = COLS - 1;
      } else if (hi >= COLS) {
        a0 = lo;
        b0 = COLS - 1;
        a1 = 0;
        b1 = hi - COLS;
      } else {
        a0 = lo;
        b0 = hi;
      }
    }
  }
  out[2] = a0;
  out[3] = b0;
  out[4] = a1;
  out[5] = b1;
}
