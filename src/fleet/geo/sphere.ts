/**
 * Spherical geometry. Points are compared as unit vectors: the squared chord between two unit
 * vectors is a monotone function of the great-circle distance, exact in float64, and costs a few
 * multiplications instead of a haversine's trigonometry. Kilometres are computed only for output.
 */

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

/**
 * Great-circle distance, km: the haversine formula, which is well-conditioned for near points, and
 * beyond a quarter of the circumference the Vincenty form of the same distance (atan2 of the two
 * components), because haversine's `1 − a` loses digits toward the antipode. The reference every
 * index is checked against.
 * @example
 * haversineKm(47.3769, 8.5417, 46.948, 7.4474); // ≈ 95.5 (Zürich to Bern)
 */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dLon / 2) ** 2;
  if (s <= 0.5) return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(s));
  const c1 = Math.cos(p1);
  const c2 = Math.cos(p2);
  const s1 = Math.sin(p1);
  const s2 = Math.sin(p2);
  const cd = Math.cos(dLon);
  const y = Math.hypot(c2 * Math.sin(dLon), c1 * s2 - s1 * c2 * cd);
  return EARTH_RADIUS_KM * Math.atan2(y, s1 * s2 + c1 * c2 * cd);
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

/**
 * Great-circle distance in km between two unit vectors, exact at every separation (atan2 of the
 * cross and dot products). The squared chord loses precision near the antipode, where its arcsine
 * is steep; this is the form for reporting far distances.
 */
export function vectorKm(ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const cx = ay * bz - az * by;
  const cy = az * bx - ax * bz;
  const cz = ax * by - ay * bx;
  return EARTH_RADIUS_KM * Math.atan2(Math.hypot(cx, cy, cz), ax * bx + ay * by + az * bz);
}

/** Latitude in degrees of a unit vector (atan2 form: exact near the poles, where asin(z) is not). */
export function unitLat(x: number, y: number, z: number): number {
  return Math.atan2(z, Math.hypot(x, y)) / RAD;
}

/** Longitude in degrees of a unit vector. */
export function unitLon(x: number, y: number): number {
  return Math.atan2(y, x) / RAD;
}
