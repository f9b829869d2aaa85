/**
 * Spherical geometry. Points are compared as unit vectors: the squared chord between two unit
 * vectors is a monotone function of the great-circle distance, exact in float64, and costs a few
 * multiplications instead of a haversine's trigonometry. Kilometres are computed only for output.
 */

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

/** Great-circle distance by the haversine formula, km. The reference every index is checked against. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Writes the unit vector of (lat, lon) into `out` at `offset` (x, y, z). */
export function toUnit(lat: number, lon: number, out: Float64Array, offset: number): void {
  const phi = lat * RAD;
  const lambda = lon * RAD;
  const c = Math.cos(phi);
  out[offset] = c * Math.cos(lambda);
  out[offset + 1] = c * Math.sin(lambda);
  out[offset + 2] = Math.sin(phi);
}

/** Squared chord length (unit sphere) of a great-circle distance in km. Monotone in km. */
export function kmToChord2(km: number): number {
  const half = Math.min(Math.PI / 2, km / EARTH_RADIUS_KM / 2);
  const s = Math.sin(half);
  return 4 * s * s;
}

/** Great-circle distance in km of a squared chord length (unit sphere). */
export function chord2ToKm(chord2: number): number {
  const x = Math.sqrt(chord2) / 2; // sin of half the central angle
  if (x < 0.1) {
    // asin by its Taylor series: below ~1,270 km the terms to x^15 are exact to < 1e-15 relative,
    // and a polynomial costs a fraction of Math.asin on the planner's hot path.
    const x2 = x * x;
    const asin =
      x *
      (1 +
        x2 *
          (1 / 6 +
            x2 *
              (3 / 40 +
                x2 *
                  (5 / 112 +
                    x2 * (35 / 1152 + x2 * (63 / 2816 + x2 * (231 / 13312 + x2 * (143 / 10240))))))));
    return 2 * EARTH_RADIUS_KM * asin;
  }
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, x));
}

/** Latitude in degrees of a unit vector. */
export function unitLat(z: number): number {
  return Math.asin(Math.max(-1, Math.min(1, z))) / RAD;
}

/** Longitude in degrees of a unit vector. */
export function unitLon(x: number, y: number): number {
  return Math.atan2(y, x) / RAD;
}
