/** Copies GeoJSON given by a caller into plain, frozen data before it is validated and stored. */
import { describe } from '../../shared/errors.js';
import { InvalidAreaError } from './polygon.js';

/** Nesting accepted in a copied area (GeoJSON needs 5; Feature properties may nest further). */
const MAX_DEPTH = 32;

/**
 * A plain, deep-frozen copy of JSON-like data, each value read once (a getter or proxy cannot
 * answer differently to the check and to the store). Throws `InvalidAreaError` at `path`.
 */
export function copyArea(value: unknown, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) {
    throw new InvalidAreaError(
      `${path} is nested more than ${MAX_DEPTH} levels deep; pass GeoJSON as plain data.`,
      path,
    );
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new InvalidAreaError(`${path} is ${describe(value)}; pass GeoJSON as plain data.`, path);
    }
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyArea(value[i], `${path}[${i}]`, depth + 1);
    return Object.freeze(out);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    out[k] = copyArea((value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
  }
  return Object.freeze(out);
}
