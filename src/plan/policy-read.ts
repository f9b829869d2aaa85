/**
 * Field readers for policy input: each refuses a wrong value with an {@link InvalidPolicyError}
 * that names the field and the fix (never a silent clamp, never an ignored unknown key).
 */

import { type Bonus, isCurrency, MAX_BONUS_AMOUNT } from '../shared/currency.js';
import { describe, didYouMean, InvalidPolicyError } from '../shared/errors.js';

/** One day, ms: the upper bound of most policy durations. */
export const DAY_MS = 86_400_000;

/** Throws the {@link InvalidPolicyError} for `policy.<path>`: what is wrong, then the fix. */
export function fail(path: string, what: string, fix: string): never {
  throw new InvalidPolicyError(`policy.${path} ${what}; ${fix}.`, path);
}

/** A finite number in [min, max] (or (min, max]), whole with `integer`; `fallback` when left out. */
export function num(
  value: unknown,
  fallback: number,
  path: string,
  min: number,
  max: number,
  opts: { integer?: boolean; minExclusive?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(path, `is ${describe(value)}, not a finite number`, `pass a number between ${min} and ${max}`);
  }
  if (opts.integer && !Number.isInteger(value)) fail(path, `is ${value}`, 'pass a whole number');
  if ((opts.minExclusive ? value <= min : value < min) || value > max) {
    fail(
      path,
      `is ${value}, outside ${opts.minExclusive ? '(' : '['}${min}, ${max}]`,
      `pass a value in that range`,
    );
  }
  return value;
}

/** A boolean, or `fallback` when left out. */
export function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, `is ${describe(value)}`, 'pass true or false');
  return value;
}

/** An optional object; with `known`, any other key is a mistake (a typo must not be silently ignored). */
export function object(value: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(path, 'is not an object', 'pass an object or leave it out');
  }
  const o = value as Record<string, unknown>;
  if (known) {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) {
        fail(
          path === '(root)' ? key : `${path}.${key}`,
          'is not a policy field',
          `${didYouMean(key, known).trim() ? `${didYouMean(key, known).trim()} If not, use` : 'use'} one of ${known.join(', ')}`,
        );
      }
    }
  }
  return o;
}

/** Reads a bonus: a whole amount ≥ 0 in minor units and an active ISO 4217 code (shared/currency.ts). */
export function readBonus(value: unknown, path: string): Bonus {
  const o = object(value, path, ['amount', 'currency']);
  const { amount, currency } = o;
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    fail(
      `${path}.amount`,
      `is ${describe(amount)}, not a whole number`,
      'give the amount in minor units (500 = 5.00)',
    );
  }
  if (amount < 0)
    fail(`${path}.amount`, `is ${amount}, negative`, 'give a bonus ≥ 0 (a bonus never takes pay away)');
  if (amount > MAX_BONUS_AMOUNT)
    fail(`${path}.amount`, `is ${amount}, above ${MAX_BONUS_AMOUNT}`, 'give a smaller amount (minor units)');
  if (!isCurrency(currency)) {
    const upper = typeof currency === 'string' ? currency.toUpperCase() : '';
    fail(
      `${path}.currency`,
      `is ${describe(currency)}, not an ISO 4217 currency code`,
      isCurrency(upper)
        ? `use '${upper}' (upper case)`
        : "use a three-letter ISO 4217 code such as 'CHF' or 'EUR'",
    );
  }
  return { amount, currency };
}
