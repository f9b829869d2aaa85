/**
 * Bytes per technician, measured in a fresh process (`node --expose-gc --import tsx bench/memory.ts
 * <technicians> <region> <seed> [windowsShare]`): the heap and array-buffer growth of building a fleet, which
 * counts the index, the attributes, the id map, the id strings and availability windows — and
 * `fleet.byteLength` (typed arrays only). Prints one JSON line. A fresh process keeps other
 * scenarios' garbage and lazily compiled code out of the figure.
 */
import { Fleet } from '../src/fleet/fleet.js';
import { generateFleet, loadCities, loadSwissCities } from './data.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('bench/memory.ts needs node --expose-gc\n');
  process.exit(2);
}
const n = Number(process.argv[2] ?? 100_000);
const region = process.argv[3] === 'ch' ? 'ch' : 'world';
const seed = Number(process.argv[4] ?? n);
const windowsShare = Number(process.argv[5] ?? 0.1);
const cities = region === 'ch' ? loadSwissCities() : loadCities();

function heap(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function build(count: number, s: number): Fleet {
  const fleet = new Fleet();
  for (const t of generateFleet(cities, count, { seed: s, windowsShare })) fleet.add(t);
  return fleet;
}

// Warm up: compile the code paths and fill the skill/partner registries' shapes once.
build(2000, seed + 1);
const before = heap();
const fleet = build(n, seed);
const after = heap();
const windows = fleet.withWindows;
process.stdout.write(
  `${JSON.stringify({
    technicians: fleet.size,
    heapBytesPerTechnician: (after - before) / n,
    typedArrayBytesPerTechnician: fleet.byteLength / n,
    withWindowsShare: windows / n,
  })}\n`,
);
