/**
 * Small statistics used by the metrics and the comparison: quantiles, Gini, top-decile share,
 * means and Student-t confidence intervals. Pure functions over plain arrays.
 */

/**
 * The q-quantile (0–1) by linear interpolation between order statistics; NaN for no values.
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * quantile(Float64Array.from(waitS).sort(), 0.9); // the 90th percentile: sort the values first
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Ascending copy as a Float64Array. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function stdev(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/**
 * Gini coefficient of non-negative amounts: 0 = everyone gets the same, → 1 = one gets all.
 * @example gini([1, 1, 1, 1]) // 0
 */
export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const s = sortedCopy(values);
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += s[i]!;
    weighted += (i + 1) * s[i]!;
  }
  if (total === 0) return 0;
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/**
 * Share of the total held by the top 10 % (at least one member).
 * @example
 * topDecileShare([1, 1, 1, 1, 1, 1, 1, 1, 1, 11]); // 0.55: one technician of ten holds 55 % of the awards
 */
export function topDecileShare(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const s = sortedCopy(values);
  const k = Math.max(1, Math.round(n / 10));
  let total = 0;
  let top = 0;
  for (let i = 0; i < n; i++) {
    total += s[i]!;
    if (i >= n - k) top += s[i]!;
  }
  return total === 0 ? 0 : top / total;
}

// Two-sided 97.5 % Student-t quantiles for 1…30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** A mean with its 95 % confidence interval over independent replications. */
export interface Estimate {
  /** Mean of the replications. */
  mean: number;
  /** Half-width of the 95 % interval (Student t); 0 with a single replication. */
  ci95: number;
  /** Number of replications. */
  n: number;
}

/**
 * Mean and 95 % Student-t confidence half-width of replications.
 * @example
 * estimate([0.81, 0.84, 0.79, 0.86, 0.8]); // { mean: 0.82, ci95: 0.0362…, n: 5 }: 0.82 ± 0.036 over five seeds
 */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, ci95: 0, n };
  const t = n - 1 <= 30 ? T975[n - 2]! : 1.96;
  return { mean: m, ci95: (t * stdev(values)) / Math.sqrt(n), n };
}

/** Rounds to `digits` decimals (keeps JSON short and stable); NaN and ±Infinity become null. */
export function round(value: number, digits = 4): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
