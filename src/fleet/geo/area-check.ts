/**
 * Topology checks of a polygon's rings (planar, on unwrapped lon/lat, in double precision):
 * no ring crosses, overlaps or touches itself, no two rings cross or share a stretch of boundary
 * (rings of one polygon may touch at single points), every hole lies inside its shell and outside
 * the other holes; and the wording of each problem found (message and path).
 *
 * Cost: edges are bucketed in a uniform grid of about √n × √n cells over the polygon's box and only
 * edges sharing a cell are compared, so real boundaries (short edges, spread out) check in about
 * O(n); the worst case (every edge through every cell) is O(n²). Measured in docs/service-areas.md.
 */

/** A problem found, by ring and vertex index (vertex `i` starts edge `i`); the caller words it. */
export type RingProblem =
  | { kind: 'crosses' | 'overlaps' | 'touches'; ringA: number; edgeA: number; ringB: number; edgeB: number }
  | { kind: 'spike'; ringA: number; edgeA: number }
  | { kind: 'hole-outside'; ringA: number; vertex: number }
  | { kind: 'hole-in-hole'; ringA: number; ringB: number; vertex: number };

/** Orientation of c relative to a→b: > 0 left, < 0 right, 0 collinear. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** c lies on the closed segment a–b (given it is collinear with it). */
function within(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return cx >= Math.min(ax, bx) && cx <= Math.max(ax, bx) && cy >= Math.min(ay, by) && cy <= Math.max(ay, by);
}

/** How two segments meet: 0 not at all, 1 at a single point, 2 crossing, 3 along a stretch. */
function meet(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): 0 | 1 | 2 | 3 {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return 2;
  if (o1 === 0 && o2 === 0) {
    // Collinear: project on the longer axis and compare the overlap of the two intervals.
    const useX = Math.abs(bx - ax) >= Math.abs(by - ay);
    const a0 = useX ? Math.min(ax, bx) : Math.min(ay, by);
    const a1 = useX ? Math.max(ax, bx) : Math.max(ay, by);
    const c0 = useX ? Math.min(cx, dx) : Math.min(cy, dy);
    const c1 = useX ? Math.max(cx, dx) : Math.max(cy, dy);
    const lo = Math.max(a0, c0);
    const hi = Math.min(a1, c1);
    return hi > lo ? 3 : hi === lo ? 1 : 0;
  }
  if (
    (o1 === 0 && within(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && within(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && within(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && within(cx, cy, dx, dy, bx, by))
  ) {
    return 1;
  }
  return 0;
}

/** 1 inside the ring, 0 on its boundary, −1 outside (even–odd, exact on-edge test). */
export function ringSide(ring: Float64Array, x: number, y: number): -1 | 0 | 1 {
  const n = ring.length / 2;
  let odd = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[i * 2]!;
    const yi = ring[i * 2 + 1]!;
    const xj = ring[j * 2]!;
    const yj = ring[j * 2 + 1]!;
    if (orient(xj, yj, xi, yi, x, y) === 0 && within(xj, yj, xi, yi, x, y)) return 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd ? 1 : -1;
}

/** The first vertex of `ring` off `other`'s boundary and its side of `other` (0 if every vertex is on it). */
function sideOf(ring: Float64Array, other: Float64Array): { side: -1 | 0 | 1; vertex: number } {
  for (let i = 0; i < ring.length / 2; i++) {
    const side = ringSide(other, ring[i * 2]!, ring[i * 2 + 1]!);
    if (side !== 0) return { side, vertex: i };
  }
  return { side: 0, vertex: 0 };
}

function boxesOverlap(a: Float64Array, b: Float64Array, ia: number, ib: number): boolean {
  return a[ia]! <= b[ib + 2]! && b[ib]! <= a[ia + 2]! && a[ia + 1]! <= b[ib + 3]! && b[ib + 1]! <= a[ia + 3]!;
}

/**
 * Checks the rings of one polygon (shell first; `x, y` pairs, closing vertex not repeated,
 * no two consecutive vertices equal). Returns the first problem found, or null.
 */
export function checkPolygon(rings: readonly Float64Array[]): RingProblem | null {
  // Flatten the edges: ring, index and box of each.
  let total = 0;
  for (const ring of rings) total += ring.length / 2;
  const ringOf = new Int32Array(total);
  const indexOf = new Int32Array(total);
  const box = new Float64Array(total * 4);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let k = 0;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    const n = ring.length / 2;
    for (let i = 0; i < n; i++, k++) {
      const j = i + 1 === n ? 0 : i + 1;
      ringOf[k] = r;
      indexOf[k] = i;
      const x0 = Math.min(ring[i * 2]!, ring[j * 2]!);
      const x1 = Math.max(ring[i * 2]!, ring[j * 2]!);
      const y0 = Math.min(ring[i * 2 + 1]!, ring[j * 2 + 1]!);
      const y1 = Math.max(ring[i * 2 + 1]!, ring[j * 2 + 1]!);
      box[k * 4] = x0;
      box[k * 4 + 1] = y0;
      box[k * 4 + 2] = x1;
      box[k * 4 + 3] = y1;
      if (x0 < minX) minX = x0;
      if (y0 < minY) minY = y0;
      if (x1 > maxX) maxX = x1;
      if (y1 > maxY) maxY = y1;
    }
  }
  const side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(total))));
  const sx = side / (maxX - minX);
  const sy = side / (maxY - minY);
  const cell = (v: number, lo: number, s: number) =>
    Math.min(side - 1, Math.max(0, Math.floor((v - lo) * s)));
  const forCells = (e: number, f: (c: number) => void) => {
    const c0 = cell(box[e * 4]!, minX, sx);
    const c1 = cell(box[e * 4 + 2]!, minX, sx);
    const r0 = cell(box[e * 4 + 1]!, minY, sy);
    const r1 = cell(box[e * 4 + 3]!, minY, sy);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) f(r * side + c);
  };
  const start = new Int32Array(side * side + 1);
  for (let e = 0; e < total; e++) forCells(e, (c) => start[c + 1]!++);
  for (let c = 0; c < side * side; c++) start[c + 1]! += start[c]!;
  const members = new Int32Array(start[side * side]!);
  const fill = start.slice(0, side * side);
  for (let e = 0; e < total; e++) forCells(e, (c) => (members[fill[c]!++] = e));

  for (let c = 0; c < side * side; c++) {
    for (let p = start[c]!; p < start[c + 1]!; p++) {
      const a = members[p]!;
      for (let q = p + 1; q < start[c + 1]!; q++) {
        const b = members[q]!;
        if (!boxesOverlap(box, box, a * 4, b * 4)) continue;
        const problem = pair(rings, ringOf[a]!, indexOf[a]!, ringOf[b]!, indexOf[b]!);
        if (problem !== null) return problem;
      }
    }
  }
  return holes(rings);
}

function pair(
  rings: readonly Float64Array[],
  ra: number,
  ia: number,
  rb: number,
  ib: number,
): RingProblem | null {
  const A = rings[ra]!;
  const B = rings[rb]!;
  const na = A.length / 2;
  const nb = B.length / 2;
  const ja = ia + 1 === na ? 0 : ia + 1;
  const jb = ib + 1 === nb ? 0 : ib + 1;
  const ax = A[ia * 2]!;
  const ay = A[ia * 2 + 1]!;
  const bx = A[ja * 2]!;
  const by = A[ja * 2 + 1]!;
  const cx = B[ib * 2]!;
  const cy = B[ib * 2 + 1]!;
  const dx = B[jb * 2]!;
  const dy = B[jb * 2 + 1]!;
  if (ra === rb && (ja === ib || jb === ia)) {
    // Neighbours share a vertex; they are wrong only if the second turns straight back on the first.
    const [px, py, qx, qy, sx, sy] = ja === ib ? [ax, ay, bx, by, dx, dy] : [cx, cy, dx, dy, bx, by];
    if (orient(px, py, qx, qy, sx, sy) === 0 && (qx - px) * (sx - qx) + (qy - py) * (sy - qy) < 0) {
      return { kind: 'spike', ringA: ra, edgeA: ja === ib ? ia : ib };
    }
    return null;
  }
  const m = meet(ax, ay, bx, by, cx, cy, dx, dy);
  if (m === 0 || (m === 1 && ra !== rb)) return null; // rings of a polygon may touch at a point
  const kind = m === 2 ? 'crosses' : m === 3 ? 'overlaps' : 'touches';
  return { kind, ringA: ra, edgeA: ia, ringB: rb, edgeB: ib };
}

function holes(rings: readonly Float64Array[]): RingProblem | null {
  const shell = rings[0]!;
  const boxes = new Float64Array(rings.length * 4);
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < ring.length; i += 2) {
      x0 = Math.min(x0, ring[i]!);
      x1 = Math.max(x1, ring[i]!);
      y0 = Math.min(y0, ring[i + 1]!);
      y1 = Math.max(y1, ring[i + 1]!);
    }
    boxes.set([x0, y0, x1, y1], r * 4);
  }
  for (let h = 1; h < rings.length; h++) {
    const { side, vertex } = sideOf(rings[h]!, shell);
    if (side === -1) return { kind: 'hole-outside', ringA: h, vertex };
  }
  for (let h = 1; h < rings.length; h++) {
    for (let o = 1; o < rings.length; o++) {
      if (o === h || !boxesOverlap(boxes, boxes, h * 4, o * 4)) continue;
      const { side, vertex } = sideOf(rings[h]!, rings[o]!);
      if (side === 1) return { kind: 'hole-in-hole', ringA: h, ringB: o, vertex };
    }
  }
  return null;
}

/** A ring as the caller read it: its input path, kept vertices (`x, y`) and their input positions. */
export interface NamedRing {
  readonly path: string;
  readonly xy: Float64Array;
  readonly at: Int32Array;
}

function position(r: NamedRing, vertex: number): string {
  return `${r.path}[${r.at[vertex]}]`;
}

/** The message and path of a problem, for rings named by their input path and kept positions. */
export function describeProblem(
  p: RingProblem,
  rings: readonly NamedRing[],
): [message: string, path: string] {
  const a = rings[p.ringA]!;
  switch (p.kind) {
    case 'spike':
      return [
        `${a.path} turns straight back on itself at ${position(a, (p.edgeA + 1) % (a.xy.length / 2))}; ` +
          'remove the position where the boundary doubles back.',
        position(a, (p.edgeA + 1) % (a.xy.length / 2)),
      ];
    case 'hole-outside':
      return [
        `hole ${a.path} is not inside its shell ${rings[0]!.path} (its position ${position(a, p.vertex)} is ` +
          'outside it); move the hole inside, or make it a polygon of its own in a MultiPolygon.',
        a.path,
      ];
    case 'hole-in-hole':
      return [
        `hole ${a.path} lies inside hole ${rings[p.ringB]!.path}; holes may not nest: make the inner ring ` +
          'a polygon of its own in a MultiPolygon.',
        a.path,
      ];
    default: {
      // Name the hole first (the later ring), then its shell or the other hole.
      const swap = p.ringB > p.ringA;
      const h = swap ? rings[p.ringB]! : a;
      const o = swap ? a : rings[p.ringB]!;
      const he = swap ? p.edgeB : p.edgeA;
      const oe = swap ? p.edgeA : p.edgeB;
      const other =
        p.ringA === p.ringB ? 'itself' : o === rings[0] ? `its shell ${o.path}` : `hole ${o.path}`;
      const what = p.ringA === p.ringB ? h.path : `hole ${h.path}`;
      return [
        `${what} ${p.kind} ${other}: the edge from ${position(h, he)} ${p.kind === 'overlaps' ? 'runs along' : 'meets'} ` +
          `the edge from ${position(o, oe)}; a ring may not cross or touch itself and rings may meet only ` +
          'at single points: fix the positions or split the area into separate polygons.',
        position(h, he),
      ];
    }
  }
}
