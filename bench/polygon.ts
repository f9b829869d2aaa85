/**
 * Service-area benchmark, run by hand (not part of `npm run bench` or the gate):
 *   npx tsx bench/polygon.ts [--points 20000] [--repeat 7]
 * Per call: areaContains with the default grid, with other grid sides, without a grid, and
 * @turf/boolean-point-in-polygon, on real shapes, over the same seeded points (uniform over the
 * area's box, so a mix of inside, outside and near-boundary points); the median of the repeats.
 * Also compile (validate + index) time, index bytes, bytes allocated per call, and the validation
 * time of large synthetic rings. Prints a Markdown table for docs/service-areas.md.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { gridStats } from '../src/fleet/geo/area-index.js';
import { areaContains, type CompiledArea, compileArea } from '../src/fleet/geo/polygon.js';
import { createRng } from '../src/shared/random.js';
import { type AreaFeature, swissAreas, worldAreas } from '../test/polygon-shapes.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const POINTS = arg('points', 20_000);
const REPEAT = arg('repeat', 7);

let sink = 0;

function points(area: CompiledArea, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const [x0, y0, x1, y1] = area.bbox;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = x0 + (x1 - x0) * rng.next();
    out[i * 2] = x > 180 ? x - 360 : x;
    out[i * 2 + 1] = y0 + (y1 - y0) * rng.next();
  }
  return out;
}

/** Median ns per call of `fn` over the points. */
function time(pts: Float64Array, fn: (lat: number, lon: number) => boolean, repeat = REPEAT): number {
  const n = pts.length / 2;
  const run = () => {
    let s = 0;
    for (let i = 0; i < n; i++) if (fn(pts[i * 2 + 1]!, pts[i * 2]!)) s++;
    sink += s;
  };
  run(); // warm-up
  run();
  const ns: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    run();
    ns.push(Number(process.hrtime.bigint() - t0) / n);
  }
  ns.sort((a, b) => a - b);
  return ns[ns.length >> 1]!;
}

function bytes(a: CompiledArea): number {
  const ix = a.index;
  let b =
    ix.edges.byteLength +
    ix.ringBox.byteLength +
    ix.ringEdgeStart.byteLength +
    ix.polygonRingStart.byteLength;
  const g = ix.grid;
  if (g !== null)
    b += g.cells.byteLength + g.rowStart.byteLength + g.rowEdges.byteLength + g.rowPolygon.byteLength;
  return b;
}

/** Heap growth per call over whole-degree points held as small integers (passed unboxed). */
function allocatedPerCall(area: CompiledArea): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return Number.NaN;
  const lats: number[] = [];
  const lons: number[] = [];
  const [x0, y0, x1, y1] = area.bbox;
  for (let lat = Math.ceil(y0); lat <= y1; lat++) {
    for (let x = Math.ceil(x0); x <= x1; x++) {
      lats.push(lat);
      lons.push(x > 180 ? x - 360 : x);
    }
  }
  const run = (times: number) => {
    let s = 0;
    for (let r = 0; r < times; r++)
      for (let i = 0; i < lats.length; i++) if (areaContains(area, lats[i]!, lons[i]!)) s++;
    sink += s;
  };
  run(50); // warm-up: before the optimising compiler runs, numbers passed around are boxed
  gc();
  const before = process.memoryUsage().heapUsed;
  run(50);
  return (process.memoryUsage().heapUsed - before) / (50 * lats.length);
}

const { cantons, country } = swissAreas();
const shapes: AreaFeature[] = [
  cantons.find((c) => c.properties.name === 'Zürich')!,
  cantons.find((c) => c.properties.name === 'Bern')!,
  cantons.find((c) => c.properties.name === 'Graubünden')!,
  country,
  ...worldAreas(['South Africa', 'Russia']),
];

console.log(`node ${process.version}, ${POINTS} points per shape, median of ${REPEAT}\n`);
console.log(
  '| shape | polygons / rings / vertices | compile ms | grid cells (in/out/boundary) | index KB | grid ns | no grid ns | turf ns | turf ÷ grid | inside |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [i, f] of shapes.entries()) {
  const t0 = performance.now();
  for (let k = 0; k < 5; k++) compileArea(f);
  const compileMs = (performance.now() - t0) / 5;
  const grid = compileArea(f);
  const plain = compileArea(f, 'area', { grid: 0 });
  const pts = points(grid, POINTS, 1000 + i);
  let inside = 0;
  for (let k = 0; k < POINTS; k++) if (areaContains(grid, pts[k * 2 + 1]!, pts[k * 2]!)) inside++;
  const st = gridStats(grid.index.grid!);
  const g = grid.index.grid!;
  const tg = time(pts, (lat, lon) => areaContains(grid, lat, lon));
  const tp = time(pts, (lat, lon) => areaContains(plain, lat, lon));
  const turfPts = pts.length > 8_000 && grid.vertices > 3_000 ? pts.subarray(0, 8_000) : pts;
  const tt = time(turfPts, (lat, lon) => booleanPointInPolygon([lon, lat], f), 3);
  console.log(
    `| ${f.properties.name} | ${grid.polygons} / ${grid.rings} / ${grid.vertices} | ${compileMs.toFixed(2)} | ` +
      `${g.cols}×${g.rows} (${st.inside}/${st.outside}/${st.boundary}) | ${(bytes(grid) / 1024).toFixed(0)} | ` +
      `${tg.toFixed(0)} | ${tp.toFixed(0)} | ${tt.toFixed(0)} | ${(tt / tg).toFixed(0)}× | ${((100 * inside) / POINTS).toFixed(0)} % |`,
  );
}

console.log('\nGrid side (cells along the longer side) on Switzerland and Russia, ns per call:\n');
console.log('| shape | 0 (none) | 16 | 64 | default | 256 | 512 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [i, f] of [country, shapes[shapes.length - 1]!].entries()) {
  const def = compileArea(f);
  const pts = points(def, POINTS, 2000 + i);
  const cells = [0, 16, 64, -1, 256, 512].map((side) => {
    const a = side < 0 ? def : compileArea(f, 'area', { grid: side });
    const label = side < 0 ? ` (${a.index.grid!.cols}×${a.index.grid!.rows})` : '';
    return `${time(pts, (lat, lon) => areaContains(a, lat, lon)).toFixed(0)}${label}`;
  });
  console.log(`| ${f.properties.name} | ${cells.join(' | ')} |`);
}

{
  const ru = shapes[shapes.length - 1]!;
  const a = compileArea(ru);
  const plain = compileArea(ru, 'area', { grid: 0 });
  console.log(
    `\nHeap growth per areaContains call (Russia, whole-degree points, after warm-up): ` +
      `${allocatedPerCall(a).toFixed(2)} bytes with the grid, ${allocatedPerCall(plain).toFixed(2)} bytes without`,
  );
}

console.log('\nValidation + compile of one synthetic ring of n vertices, ms (median of 5):');
console.log('smooth: a wavy circle with short edges, like a real boundary; jagged: every edge a random');
console.log('radial zig-zag of up to 30 % of the radius (long edges crowding each cell: the bad case).\n');
console.log('| ring | n | compile ms | ms per 1,000 vertices |');
console.log('| --- | --- | --- | --- |');
for (const [kind, sizes] of [
  ['smooth', [1_000, 5_000, 20_000, 80_000]],
  ['jagged', [1_000, 5_000]],
] as const) {
  for (const n of sizes) {
    const rng = createRng(n);
    const ring: number[][] = [];
    for (let i = 0; i < n; i++) {
      const a = ((i + 0.1 + 0.8 * rng.next()) * 2 * Math.PI) / n;
      const r = kind === 'smooth' ? 1 + 0.2 * Math.sin(7 * a) + 0.001 * rng.next() : 1 + 0.3 * rng.next();
      ring.push([8 + r * Math.cos(a), 47 + r * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    const geo = { type: 'Polygon', coordinates: [ring] };
    const ms: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      compileArea(geo);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `| ${kind} | ${n.toLocaleString('en')} | ${ms[2]!.toFixed(1)} | ${((ms[2]! * 1000) / n).toFixed(2)} |`,
    );
  }
}
if (sink === -1) console.log(sink);
