/**
 * Service areas: GeoJSON Polygon and MultiPolygon geometries (RFC 7946), validated strictly and
 * compiled once into typed arrays, then tested point by point without allocating.
 *
 * Semantics: planar even–odd on lon/lat, as RFC 7946 defines rings, per polygon (inside the shell
 * and outside its holes), a MultiPolygon being the union of its polygons. A point exactly on a
 * boundary counts as the point nudged infinitesimally up and right (north-east), so two areas
 * sharing an edge never both claim a point on it. An edge whose longitudes differ by more than
 * 180° is taken to cross the antimeridian (the ring is unwrapped); RFC 7946's split form works too.
 */
import { CrowdDispatchError, describe, didYouMean, InvalidArgumentError } from '../../shared/errors.js';
import { checkPolygon, describeProblem } from './area-check.js';
import { type AreaIndex, buildIndex, containsGrid, containsPlain, MAX_GRID } from './area-index.js';

/**
 * An area that is not a valid GeoJSON Polygon or MultiPolygon; `path` names the offending part.
 * @example
 * try {
 *   compileArea({ type: 'Polygon', coordinates: [[[8.5, 47.3], [8.6, 47.3], [8.5, 47.3]]] });
 * } catch (e) {
 *   if (!(e instanceof InvalidAreaError)) throw e;
 *   e.path; // 'area.coordinates[0]': "… has 3 position(s); a ring needs at least 4 (3 corners and the first repeated at the end)."
 *   e.code; // 'INVALID_ARGUMENT': an InvalidArgumentError
 * }
 * // In a technician's `areas` the same mistake throws InvalidTechnicianError, in a partner's `region` InvalidPolicyError.
 */
export class InvalidAreaError extends InvalidArgumentError {
  declare readonly path: string;
  constructor(message: string, path: string) {
    super(message, path);
  }
}

/** Options of {@link compileArea}. */
export interface CompileAreaOptions {
  /**
   * Cells along the longer side of the area's box for the inside/outside/boundary grid, 0 for no
   * grid (every query scans the edges of the rings whose box holds the point).
   * @default about 2·√(edges), from 8 to 256
   */
  grid?: number;
}

/** A validated, compiled service area (frozen; its typed arrays are read-only by contract). */
export interface CompiledArea {
  /** Type tag: a compiled area. */
  readonly type: 'CompiledArea';
  /** Number of polygons (1 for a Polygon). */
  readonly polygons: number;
  /** Number of rings over all polygons (outer rings and holes). */
  readonly rings: number;
  /** Distinct vertices kept (closing positions and repeated consecutive positions dropped). */
  readonly vertices: number;
  /**
   * `[minLon, minLat, maxLon, maxLat]` of the unwrapped area: `maxLon` exceeds 180 when the area
   * crosses the antimeridian (e.g. `[177, -19, 182, -16]` for Fiji's Vanua Levu).
   */
  readonly bbox: readonly [number, number, number, number];
  /** Whether the area crosses the antimeridian (then `bbox`'s `maxLon` exceeds 180). */
  readonly crossesAntimeridian: boolean;
  /** @internal the arrays the point test reads */
  readonly index: AreaIndex;
}

const POLYGON_FIELDS = ['type', 'coordinates', 'bbox'];
const FEATURE_FIELDS = ['type', 'geometry', 'properties', 'id', 'bbox'];
const OTHER_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'GeometryCollection'];
const FIX = 'give a GeoJSON Polygon or MultiPolygon geometry, or a Feature of one';

const fail = (message: string, path: string): never => {
  throw new InvalidAreaError(message, path);
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkFields(o: Record<string, unknown>, known: string[], path: string, what: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      fail(
        `${path} has an unknown field ${describe(key)}; a GeoJSON ${what} has only ${known.join(', ')}.` +
          `${didYouMean(key, known)} Remove the field (put extra data in a Feature's properties).`,
        `${path}.${key}`,
      );
    }
  }
}

function checkBbox(b: unknown, path: string): void {
  if (b === undefined) return;
  if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6) || !b.every(Number.isFinite)) {
    fail(`${path}.bbox is ${describe(b)}; give 4 (or 6) finite numbers, or leave bbox out.`, `${path}.bbox`);
  }
}

/** One ring read: unwrapped `x, y` pairs (closing vertex and repeats dropped) and their positions. */
interface Ring {
  xy: Float64Array;
  /** The input position index of each kept vertex. */
  at: Int32Array;
  path: string;
}

function readRing(v: unknown, path: string): Ring {
  if (!Array.isArray(v)) fail(`${path} is ${describe(v)}; a ring is an array of [lon, lat] positions.`, path);
  const ring = v as unknown[];
  if (ring.length < 4) {
    fail(
      `${path} has ${ring.length} position(s); a ring needs at least 4 (3 corners and the first repeated at the end).`,
      path,
    );
  }
  const lon = new Float64Array(ring.length);
  const lat = new Float64Array(ring.length);
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i];
    const at = `${path}[${i}]`;
    if (!Array.isArray(p) || p.length < 2 || p.length > 3) {
      fail(`${at} is ${describe(p)}; a position is [lon, lat] or [lon, lat, altitude].`, at);
    }
    const q = p as unknown[];
    for (let k = 0; k < q.length; k++) {
      if (typeof q[k] !== 'number' || !Number.isFinite(q[k])) {
        fail(
          `${at}[${k}] is ${describe(q[k])}; coordinates must be finite numbers (degrees, WGS84).`,
          `${at}[${k}]`,
        );
      }
    }
    const x = q[0] as number;
    const y = q[1] as number;
    if (x < -180 || x > 180) {
      fail(
        `${at}[0] (longitude) is ${x}; it must be within [-180, 180] (WGS84 degrees, lon before lat).`,
        `${at}[0]`,
      );
    }
    if (y < -90 || y > 90) {
      fail(
        `${at}[1] (latitude) is ${y}; it must be within [-90, 90] (positions are [lon, lat]).`,
        `${at}[1]`,
      );
    }
    lon[i] = x;
    lat[i] = y;
  }
  const last = ring.length - 1;
  if (lon[0] !== lon[last] || lat[0] !== lat[last]) {
    fail(
      `${path} is not closed: its first position [${lon[0]}, ${lat[0]}] differs from its last ` +
        `[${lon[last]}, ${lat[last]}]; repeat the first position at the end.`,
      path,
    );
  }
  // Unwrap: a step of more than 180° of longitude is taken the short way, across the antimeridian.
  const xy = new Float64Array(last * 2);
  const at = new Int32Array(last);
  let shift = 0;
  let n = 0;
  let x = lon[0]!;
  for (let i = 0; i <= last; i++) {
    if (i > 0) {
      const d = lon[i]! - lon[i - 1]!;
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
      x = lon[i]! + shift;
    }
    if (i === last) break;
    if (n > 0 && xy[n * 2 - 2] === x && xy[n * 2 - 1] === lat[i]) continue;
    xy[n * 2] = x;
    xy[n * 2 + 1] = lat[i]!;
    at[n++] = i;
  }
  if (shift !== 0) {
    fail(
      `${path} winds around a pole (its longitudes cross the antimeridian ${Math.abs(shift / 360)} time(s) ` +
        'more one way than the other); split it into rings that close without circling the globe.',
      path,
    );
  }
  if (n > 1 && xy[n * 2 - 2] === xy[0] && xy[n * 2 - 1] === xy[1]) n--; // repeats of the closing position
  // All on one line (or fewer than 3 corners) encloses nothing; a zero-area bow tie is caught
  // later, as a crossing.
  let flat = n < 3;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xy[i * 2]!);
    maxX = Math.max(maxX, xy[i * 2]!);
  }
  if (!flat) {
    const ax = xy[0]!;
    const ay = xy[1]!;
    const dx = xy[2]! - ax;
    const dy = xy[3]! - ay;
    flat = true;
    for (let i = 2; i < n && flat; i++) flat = dx * (xy[i * 2 + 1]! - ay) - dy * (xy[i * 2]! - ax) === 0;
  }
  if (flat) {
    fail(
      `${path} encloses no area (${n} distinct position(s), all on one line); give at least 3 corners.`,
      path,
    );
  }
  if (maxX - minX >= 360) {
    fail(
      `${path} spans ${maxX - minX}° of longitude once unwrapped; an area must span less than 360°.`,
      path,
    );
  }
  return { xy: xy.subarray(0, n * 2), at: at.subarray(0, n), path };
}

function shiftRing(r: Ring, by: number): void {
  if (by === 0) return;
  for (let i = 0; i < r.xy.length; i += 2) r.xy[i]! += by;
}

function minXOf(r: Ring): number {
  let m = Infinity;
  for (let i = 0; i < r.xy.length; i += 2) m = Math.min(m, r.xy[i]!);
  return m;
}

function midXOf(r: Ring): number {
  let m = -Infinity;
  for (let i = 0; i < r.xy.length; i += 2) m = Math.max(m, r.xy[i]!);
  return (minXOf(r) + m) / 2;
}

function readPolygon(v: unknown, path: string): Ring[] {
  if (!Array.isArray(v) || v.length === 0) {
    fail(
      `${path} is ${describe(v)}; a polygon is a non-empty array of rings, the shell first, then holes.`,
      path,
    );
  }
  const rings = (v as unknown[]).map((r, i) => readRing(r, `${path}[${i}]`));
  // Shells start in (-180, 180]; each hole goes to the copy nearest its shell.
  const shell = rings[0]!;
  const m = minXOf(shell);
  shiftRing(shell, m <= -180 ? 360 : m > 180 ? -360 : 0);
  const centre = midXOf(shell);
  for (let h = 1; h < rings.length; h++)
    shiftRing(rings[h]!, 360 * Math.round((centre - midXOf(rings[h]!)) / 360));
  const problem = checkPolygon(rings.map((r) => r.xy));
  if (problem !== null) {
    const [message, at] = describeProblem(problem, rings);
    fail(message, at);
  }
  return rings;
}

function readGeometry(o: Record<string, unknown>, path: string): Ring[][] {
  const type = o.type;
  if (type === 'Polygon' || type === 'MultiPolygon') {
    checkFields(o, POLYGON_FIELDS, path, type);
    checkBbox(o.bbox, path);
    const c = o.coordinates;
    const cp = `${path}.coordinates`;
    if (type === 'Polygon') return [readPolygon(c, cp)];
    if (!Array.isArray(c) || c.length === 0) {
      fail(`${cp} is ${describe(c)}; a MultiPolygon's coordinates are a non-empty array of polygons.`, cp);
    }
    return (c as unknown[]).map((p, i) => readPolygon(p, `${cp}[${i}]`));
  }
  if (typeof type === 'string' && OTHER_TYPES.includes(type)) {
    fail(`${path} is a ${type}, which encloses no area; ${FIX}.`, `${path}.type`);
  }
  return fail(`${path}.type is ${describe(type)}; ${FIX}.`, `${path}.type`);
}

function readArea(v: unknown, path: string): Ring[][] {
  if (!isRecord(v)) return fail(`${path} is ${describe(v)}; ${FIX}.`, path);
  if (v.type !== 'Feature') return readGeometry(v, path);
  checkFields(v, FEATURE_FIELDS, path, 'Feature');
  checkBbox(v.bbox, path);
  if (v.properties !== undefined && v.properties !== null && !isRecord(v.properties)) {
    fail(`${path}.properties is ${describe(v.properties)}; give an object or null.`, `${path}.properties`);
  }
  if (v.id !== undefined && typeof v.id !== 'string' && typeof v.id !== 'number') {
    fail(`${path}.id is ${describe(v.id)}; a Feature id is a string or a number.`, `${path}.id`);
  }
  if (!isRecord(v.geometry)) {
    fail(
      `${path}.geometry is ${describe(v.geometry)}; a Feature of an area has a Polygon or MultiPolygon geometry.`,
      `${path}.geometry`,
    );
  }
  return readGeometry(v.geometry as Record<string, unknown>, `${path}.geometry`);
}

function gridSide(options: CompileAreaOptions | undefined, edges: number, path: string): number {
  if (options === undefined) return Math.max(8, Math.min(256, Math.ceil(2 * Math.sqrt(edges))));
  if (!isRecord(options))
    fail(`the options of compileArea are ${describe(options)}; give an object or leave them out.`, 'options');
  checkFields(options as Record<string, unknown>, ['grid'], 'options', 'compileArea options object');
  const g = options.grid;
  if (g === undefined) return gridSide(undefined, edges, path);
  if (typeof g !== 'number' || !Number.isInteger(g) || g < 0 || g > MAX_GRID) {
    fail(`options.grid is ${describe(g)}; give an integer from 0 (no grid) to ${MAX_GRID}.`, 'options.grid');
  }
  return g as number;
}

/**
 * Validates a GeoJSON Polygon or MultiPolygon (or a Feature of one) and compiles it for
 * {@link areaContains}. Throws {@link InvalidAreaError}, with `path` under the given root, for a
 * wrong type, an unknown field, a ring of fewer than 4 positions or not closed, a coordinate that
 * is not finite or out of range, a ring that crosses, overlaps or touches itself, rings that cross
 * or overlap each other, and a hole outside its shell or inside another hole. Winding order is
 * not enforced (RFC 7946 asks parsers not to reject it).
 *
 * @example
 * const area = compileArea({ type: 'Polygon', coordinates: [[[8, 47], [9, 47], [9, 48], [8, 47]]] });
 * areaContains(area, 47.2, 8.9); // true
 * compileArea({ type: 'Polygon', coordinates: [[[8, 47], [9, 47], [9, 48]]] }, 'tech.areas[0]');
 * // throws InvalidAreaError: tech.areas[0].coordinates[0] has 3 position(s); a ring needs at least 4 …
 */
export function compileArea(geojson: unknown, path = 'area', options?: CompileAreaOptions): CompiledArea {
  let polygons: Ring[][];
  try {
    polygons = readArea(geojson, path);
  } catch (e) {
    if (e instanceof CrowdDispatchError) throw e;
    // A throwing getter or proxy in the input: still a typed error.
    throw new InvalidAreaError(`${path} could not be read (${String(e)}); ${FIX}, as plain data.`, path);
  }
  const xy = polygons.map((rings) => rings.map((r) => r.xy));
  let vertices = 0;
  for (const rings of xy) for (const r of rings) vertices += r.length / 2;
  const index = buildIndex(xy, gridSide(options, vertices, path));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let p = 0; p < xy.length; p++) {
    const b = index.polygonRingStart[p]! * 4;
    minX = Math.min(minX, index.ringBox[b]!);
    minY = Math.min(minY, index.ringBox[b + 1]!);
    maxX = Math.max(maxX, index.ringBox[b + 2]!);
    maxY = Math.max(maxY, index.ringBox[b + 3]!);
  }
  return Object.freeze({
    type: 'CompiledArea',
    polygons: polygons.length,
    rings: polygons.reduce((s, r) => s + r.length, 0),
    vertices,
    bbox: Object.freeze([minX, minY, maxX, maxY]) as readonly [number, number, number, number],
    crossesAntimeridian: maxX > 180,
    index: Object.freeze(index),
  });
}

/**
 * Whether (lat, lon) lies in the area (see the module's semantics for boundary points and the
 * antimeridian; longitudes −180 and 180 are the same meridian). Allocation-free; with the grid
 * most points answer from one cell, the others scan one latitude band's edges.
 *
 * @example
 * areaContains(compileArea(cantonZurich), 47.3769, 8.5417); // true: Zürich city
 */
export function areaContains(area: CompiledArea, lat: number, lon: number): boolean {
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
    throw new InvalidArgumentError(
      `areaContains(area, lat, lon) got lat ${describe(lat)}, lon ${describe(lon)}; give finite WGS84 degrees, lat within [-90, 90], lon within [-180, 180].`,
      'lat',
    );
  }
  const x = lon === -180 ? 180 : lon;
  const ix = area.index;
  const g = ix.grid;
  const wraps = x + 360 <= area.bbox[2];
  if (g !== null) return containsGrid(g, x, lat, 0) || (wraps && containsGrid(g, x, lat, 360));
  return containsPlain(ix, x, lat, 0) || (wraps && containsPlain(ix, x, lat, 360));
}

/**
 * The area's bounding box as at most two boxes `[minLon, minLat, maxLon, maxLat]` within
 * [-180, 180] (two when it crosses the antimeridian): what a cell index registers the area under.
 *
 * @example
 * areaBoxes(compileArea(fiji)); // [[177, -19, 180, -16], [-180, -19, -178, -16]]
 */
export function areaBoxes(area: CompiledArea): [number, number, number, number][] {
  const [x0, y0, x1, y1] = area.bbox;
  if (x1 <= 180) return [[x0, y0, x1, y1]];
  if (x0 >= 180) return [[x0 - 360, y0, x1 - 360, y1]];
  return [
    [x0, y0, 180, y1],
    [-180, y0, x1 - 360, y1],
  ];
}
