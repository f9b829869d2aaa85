/**
 * Error messages for valibot schemas of the simulator's files (scenarios, sweep specs): every issue
 * by dotted path, unknown fields named with a "did you mean" when a known field is close, and
 * message building that survives any value (no raw TypeError from the input itself).
 */
import type * as v from 'valibot';

type AnySchema = v.BaseSchema<unknown, unknown, v.BaseIssue<unknown>> & Record<string, unknown>;

/** Edit distance (insert, delete, substitute, swap of neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `word` when it is a plausible typo (at most a third of its letters
 * off, case ignored), else undefined.
 * @example
 * didYouMean('dayz', ['days', 'name']); // 'days'
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const k of known) {
    const dist = distance(w, k.toLowerCase());
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return best;
}

/** A value shown in a message: short, and never a throw (BigInt, Symbol, cycles, getters). */
export function show(value: unknown): string {
  try {
    if (typeof value === 'string')
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
    if (value === null || typeof value !== 'object') return String(value);
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an unprintable value';
  }
}

/** Unwraps optional/nullable/pipe wrappers down to the schema that has entries, items or a value. */
function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let s = schema;
  for (let i = 0; s && i < 8; i++) {
    if (s.wrapped) s = s.wrapped as AnySchema;
    else break;
  }
  return s;
}

/** The field names an object schema at `keys` (a path from the root) knows. */
function knownKeysAt(root: AnySchema, keys: readonly (string | number)[]): string[] {
  let s = unwrap(root);
  for (const k of keys) {
    if (!s) return [];
    if (s.entries && typeof k === 'string') s = unwrap((s.entries as Record<string, AnySchema>)[k]);
    else if (s.item) s = unwrap(s.item as AnySchema);
    else if (s.items && typeof k === 'number') s = unwrap((s.items as AnySchema[])[k]);
    else if (s.value) s = unwrap(s.value as AnySchema);
    else return [];
  }
  return s?.entries ? Object.keys(s.entries as object) : [];
}

/** `a.b[2].c` from an issue's path. */
export function pathOf(issue: v.BaseIssue<unknown>): string {
  const keys = (issue.path ?? []).map((p) => p.key as string | number);
  return keys.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)),
    '',
  );
}

/**
 * One line per issue (at most `max`): `demand.hourly: expected 24 weights`, or for an unknown
 * field `dayz: unknown field; did you mean "days"?`.
 */
export function issueLines(root: AnySchema, issues: readonly v.BaseIssue<unknown>[], max = 8): string[] {
  return issues.slice(0, max).map((i) => {
    const p = pathOf(i) || '(root)';
    if (i.type === 'strict_object' && i.expected === 'never') {
      const keys = (i.path ?? []).map((x) => x.key as string | number);
      const known = knownKeysAt(root, keys.slice(0, -1));
      const guess = didYouMean(String(keys[keys.length - 1]), known);
      const hint = guess
        ? `did you mean "${guess}"?`
        : known.length > 0
          ? `known fields here: ${known.join(', ')}`
          : 'remove it';
      return `${p}: unknown field; ${hint}`;
    }
    return `${p}: ${i.message}`;
  });
}
