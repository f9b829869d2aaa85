/**
 * The compiled form of a service area and its point test. Rings arrive validated and unwrapped
 * (see polygon.ts); here they become typed arrays of upward edges, per-ring boxes and an optional
 * grid whose cells are marked outside, inside or boundary, with each grid row's edges copied
 * contiguously so a boundary cell scans only the edges of its latitude band.
 *
 * Every answer comes from one per-edge rule (below), so the grid and the plain scan agree on
 * every point, boundary points included (the grid only skips edges that cannot change the answer).
 */

/** Cell states of the grid. */
const OUTSIDE = 0;
const INSIDE = 1;
const BOUNDARY = 2;

/** The largest grid side accepted (cells per side). */
export const MAX_GRID = 1024;

/** Internal arrays of a compiled area; read-only by contract (typed arrays cannot be frozen). */
export interface AreaIndex {
  /** Upward edges `x0, y0, x1, y1` (y0 < y1), ring after ring; horizontal edges are dropped. */
  readonly edges: Float64Array;
  /** First edge of each ring (`rings + 1` entries). */
  readonly ringEdgeStart: Int32Array;
  /** Box of each ring: `minX, minY, maxX, maxY`. */
  readonly ringBox: Float64Array;
  /** First ring of each polygon (`polygons + 1` entries); ring 0 of a polygon is its shell. */
  readonly polygonRingStart: Int32Array;
  readonly grid: AreaGrid | null;
}

/** The coarse grid over the area's box. */
export interface AreaGrid {
  readonly cols: number;
  readonly rows: number;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  /** Cells per degree along x and y. */
  readonly scaleX: number;
  readonly scaleY: number;
  /** `OUTSIDE`, `INSIDE` or `BOUNDARY` per cell, row-major. */
  readonly cells: Uint8Array;
  /** First entry of each row in `rowEdges` (`rows + 1` entries). */
  readonly rowStart: Int32Array;
  /** The edges crossing each row's band, `x0, y0, x1, y1`, grouped by polygon. */
  readonly rowEdges: Float64Array;
  /** Polygon of each entry of `rowEdges`. */
  readonly rowPolygon: Int32Array;
}

/*
 * The per-edge rule, written out in both loops below (a call per edge would cost more than the
 * test): does the ray from (x, y) toward +x cross the upward edge (x0, y0)–(x1, y1)? Half-open in y
 * (a vertex counts for the edge above it) and strict in x (a point on the edge is taken as just
 * right of it), which is the answer for the point nudged infinitesimally up and right. Outside the
 * edge's x-range the answer is read from the box, exactly, without the orientation product:
 *
 *   y0 <= y < y1 && (x < min(x0, x1) || (x <= max(x0, x1) && (x1 - x0)(y - y0) - (y1 - y0)(x - x0) > 0))
 */

/**
 * Even–odd over each polygon's rings without the grid; per-ring boxes skip rings that cannot count.
 * The point is (lon + shift, y): the shift (0 or 360) is added here so no double crosses a call.
 */
export function containsPlain(ix: AreaIndex, lon: number, y: number, shift: number): boolean {
  const x = lon + shift;
  const { edges, ringEdgeStart, ringBox, polygonRingStart } = ix;
  const polygons = polygonRingStart.length - 1;
  for (let p = 0; p < polygons; p++) {
    const shell = polygonRingStart[p]! * 4;
    // Holes lie inside their shell, so a point off the shell's box is off the polygon.
    if (y < ringBox[shell + 1]! || y >= ringBox[shell + 3]! || x > ringBox[shell + 2]!) continue;
    if (x < ringBox[shell]!) continue;
    let odd = false;
    for (let r = polygonRingStart[p]!; r < polygonRingStart[p + 1]!; r++) {
      const b = r * 4;
      if (y < ringBox[b + 1]! || y >= ringBox[b + 3]! || x > ringBox[b + 2]!) continue;
      for (let e = ringEdgeStart[r]! * 4, end = ringEdgeStart[r + 1]! * 4; e < end; e += 4) {
        const y0 = edges[e + 1]!;
        const y1 = edges[e + 3]!;
        if (y < y0 || y >= y1) continue;
        const x0 = edges[e]!;
        const x1 = edges[e + 2]!;
        if (x < (x0 < x1 ? x0 : x1)) odd = !odd;
        else if (x <= (x0 < x1 ? x1 : x0) && (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0) odd = !odd;
      }
    }
    if (odd) return true;
  }
  return false;
}

function colOf(g: { cols: number; minX: number; scaleX: number }, x: number): number {
  const c = Math.floor((x - g.minX) * g.scaleX);
  return c < 0 ? 0 : c >= g.cols ? g.cols - 1 : c;
}

function rowOf(g: { rows: number; minY: number; scaleY: number }, y: number): number {
  const r = Math.floor((y - g.minY) * g.scaleY);
  return r < 0 ? 0 : r >= g.rows ? g.rows - 1 : r;
}

/**
 * The row scan: even–odd per polygon over the edges of one band (entries are grouped by polygon),
 * at (lon + shift, y).
 */
function scanRow(g: AreaGrid, row: number, lon: number, y: number, shift: number): boolean {
  const { rowEdges, rowPolygon } = g;
  const x = lon + shift;
  let polygon = -1;
  let odd = false;
  for (let k = g.rowStart[row]!, end = g.rowStart[row + 1]!; k < end; k++) {
    const p = rowPolygon[k]!;
    if (p !== polygon) {
      if (odd) return true;
      polygon = p;
    }
    const e = k * 4;
    const y0 = rowEdges[e + 1]!;
    const y1 = rowEdges[e + 3]!;
    if (y < y0 || y >= y1) continue;
    const x0 = rowEdges[e]!;
    const x1 = rowEdges[e + 2]!;
    if (x < (x0 < x1 ? x0 : x1)) odd = !odd;
    else if (x <= (x0 < x1 ? x1 : x0) && (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0) odd = !odd;
  }
  return odd;
}

/** The grid answer: a cell marked inside or outside answers at once, a boundary cell scans its row. */
export function containsGrid(g: AreaGrid, lon: number, y: number, shift: number): boolean {
  const x = lon + shift;
  // Off the box the plain scan answers false too (holes lie inside their shells).
  if (x < g.minX || x > g.maxX || y < g.minY || y >= g.maxY) return false;
  const row = rowOf(g, y);
  const state = g.cells[row * g.cols + colOf(g, x)]!;
  if (state !== BOUNDARY) return state === INSIDE;
  return scanRow(g, row, lon, y, shift);
}

/**
 * Builds the index from validated rings (`x, y` pairs, closing vertex not repeated), grouped by
 * polygon with the shell first. `gridSide` is the number of cells along the longer side of the box
 * (0: no grid).
 */
export function buildIndex(polygons: readonly (readonly Float64Array[])[], gridSide: number): AreaIndex {
  let ringCount = 0;
  let edgeCount = 0;
  for (const rings of polygons) {
    ringCount += rings.length;
    for (const ring of rings) edgeCount += ring.length / 2;
  }
  const edges = new Float64Array(edgeCount * 4);
  const ringEdgeStart = new Int32Array(ringCount + 1);
  const ringBox = new Float64Array(ringCount * 4);
  const polygonRingStart = new Int32Array(polygons.length + 1);
  let r = 0;
  let e = 0;
  for (let p = 0; p < polygons.length; p++) {
    polygonRingStart[p] = r;
    for (const ring of polygons[p]!) {
      ringEdgeStart[r] = e / 4;
      const n = ring.length / 2;
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (let i = 0; i < n; i++) {
        const ax = ring[i * 2]!;
        const ay = ring[i * 2 + 1]!;
        const j = i + 1 === n ? 0 : i + 1;
        const bx = ring[j * 2]!;
        const by = ring[j * 2 + 1]!;
        if (ax < minX) minX = ax;
        if (ax > maxX) maxX = ax;
        if (ay < minY) minY = ay;
        if (ay > maxY) maxY = ay;
        if (ay === by) continue; // never crossed under the half-open rule
        // Stored upward, so two areas sharing an edge compute the same crossings for it.
        const up = ay < by;
        edges[e] = up ? ax : bx;
        edges[e + 1] = up ? ay : by;
        edges[e + 2] = up ? bx : ax;
        edges[e + 3] = up ? by : ay;
        e += 4;
      }
      ringBox.set([minX, minY, maxX, maxY], r * 4);
      r++;
    }
  }
  ringEdgeStart[r] = e / 4;
  polygonRingStart[polygons.length] = r;
  const used = edges.subarray(0, e);
  const partial: AreaIndex = { edges: used, ringEdgeStart, ringBox, polygonRingStart, grid: null };
  if (gridSide === 0) return partial;
  return { ...partial, grid: buildGrid(polygons, partial, gridSide) };
}

function buildGrid(
  polygons: readonly (readonly Float64Array[])[],
  ix: AreaIndex,
  side: number,
): AreaGrid | null {
  const { ringBox, polygonRingStart } = ix;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let p = 0; p + 1 < polygonRingStart.length; p++) {
    const s = polygonRingStart[p]! * 4;
    minX = Math.min(minX, ringBox[s]!);
    minY = Math.min(minY, ringBox[s + 1]!);
    maxX = Math.max(maxX, ringBox[s + 2]!);
    maxY = Math.max(maxY, ringBox[s + 3]!);
  }
  const w = maxX - minX;
  const h = maxY - minY;
  const cols = w >= h ? side : Math.max(1, Math.ceil((side * w) / h));
  const rows = h >= w ? side : Math.max(1, Math.ceil((side * h) / w));
  const dims = { cols, rows, minX, minY, maxX, maxY, scaleX: cols / w, scaleY: rows / h };
  const cells = new Uint8Array(cols * rows);
  // Pass 1: mark boundary cells and count each row's edges; pass 2 fills the rows.
  const rowCount = new Int32Array(rows + 1);
  const bandPad = 0.01 / dims.scaleY; // float slack on the band limits, far below a cell
  const visit = (
    fill: ((row: number, p: number, x0: number, y0: number, x1: number, y1: number) => void) | null,
  ) => {
    for (let p = 0; p < polygons.length; p++) {
      for (const ring of polygons[p]!) {
        const n = ring.length / 2;
        for (let i = 0; i < n; i++) {
          const j = i + 1 === n ? 0 : i + 1;
          const ax = ring[i * 2]!;
          const ay = ring[i * 2 + 1]!;
          const bx = ring[j * 2]!;
          const by = ring[j * 2 + 1]!;
          const up = ay <= by;
          const x0 = up ? ax : bx;
          const y0 = up ? ay : by;
          const x1 = up ? bx : ax;
          const y1 = up ? by : ay;
          const r0 = rowOf(dims, y0);
          const r1 = rowOf(dims, y1);
          const c0 = colOf(dims, Math.min(x0, x1));
          const c1 = colOf(dims, Math.max(x0, x1));
          for (let row = r0; row <= r1; row++) {
            if (fill !== null) {
              if (y0 !== y1) fill(row, p, x0, y0, x1, y1);
              continue;
            }
            if (y0 !== y1) rowCount[row]!++;
            // The edge's x-span within this band (slightly widened), then one cell of margin.
            let lo = c0;
            let hi = c1;
            if (y0 !== y1) {
              const ya = Math.max(y0, minY + row / dims.scaleY - bandPad);
              const yb = Math.min(y1, minY + (row + 1) / dims.scaleY + bandPad);
              const xa = x0 + ((x1 - x0) * (ya - y0)) / (y1 - y0);
              const xb = x0 + ((x1 - x0) * (yb - y0)) / (y1 - y0);
              lo = Math.max(c0, colOf(dims, Math.min(xa, xb)) - 1);
              hi = Math.min(c1, colOf(dims, Math.max(xa, xb)) + 1);
            }
            for (let c = lo; c <= hi; c++) cells[row * cols + c] = BOUNDARY;
          }
        }
      }
    }
  };
  visit(null);
  const rowStart = new Int32Array(rows + 1);
  for (let row = 0; row < rows; row++) rowStart[row + 1] = rowStart[row]! + rowCount[row]!;
  const rowEdges = new Float64Array(rowStart[rows]! * 4);
  const rowPolygon = new Int32Array(rowStart[rows]!);
  const next = rowStart.slice(0, rows);
  visit((row, p, x0, y0, x1, y1) => {
    const k = next[row]!++;
    rowPolygon[k] = p;
    rowEdges.set([x0, y0, x1, y1], k * 4);
  });
  const grid: AreaGrid = { ...dims, cells, rowStart, rowEdges, rowPolygon };
  // A cell no edge touches has one answer throughout: the answer at any point of it.
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < cols; c++) {
      if (cells[row * cols + c] === BOUNDARY) continue;
      const cx = minX + (c + 0.5) / dims.scaleX;
      const cy = minY + (row + 0.5) / dims.scaleY;
      if (colOf(dims, cx) !== c || rowOf(dims, cy) !== row) {
        cells[row * cols + c] = BOUNDARY; // a cell too thin to hold its own centre: scan it
        continue;
      }
      cells[row * cols + c] = scanRow(grid, row, cx, cy, 0) ? INSIDE : OUTSIDE;
    }
  }
  return grid;
}

/**
 * Whether any point of the closed box `[x0, x1] × [y0, y1]` (in the grid's unwrapped x) may lie in
 * the area: false only when every grid cell the box overlaps is marked outside, which the grid
 * marks only where no edge comes near (see buildGrid). A cell index registers an area under such
 * cells only.
 */
export function gridMayHold(g: AreaGrid, x0: number, y0: number, x1: number, y1: number): boolean {
  if (x1 < g.minX || x0 > g.maxX || y1 < g.minY || y0 > g.maxY) return false;
  const c0 = colOf(g, x0);
  const c1 = colOf(g, x1);
  const r1 = rowOf(g, y1);
  for (let r = rowOf(g, y0); r <= r1; r++) {
    for (let c = c0; c <= c1; c++) if (g.cells[r * g.cols + c] !== OUTSIDE) return true;
  }
  return false;
}

/** Counts of the grid's cell states, for docs and tests. */
export function gridStats(g: AreaGrid): { inside: number; outside: number; boundary: number } {
  let inside = 0;
  let outside = 0;
  for (const s of g.cells) {
    if (s === INSIDE) inside++;
    else if (s === OUTSIDE) outside++;
  }
  return { inside, outside, boundary: g.cells.length - inside - outside };
}
