/**
 * The event log's integrity: a hash chain over a canonical encoding of every event, and deep
 * freezing of what is handed out. Each event carries `hash = H(previous hash, canonical event)`;
 * replay recomputes the chain and refuses a log whose hashes do not follow.
 *
 * H is FNV-1a in two independent 32-bit lanes (64 bits), not a cryptographic hash. It detects
 * accidental and careless edits — a changed field, a dropped, duplicated or reordered event, a
 * log spliced from another dispatcher — with a false-accept chance of about 2^-64 per edit. It
 * does not stop an adversary who can rewrite the log: anyone can recompute the chain after an
 * edit. Keep the log where only the dispatcher writes if that matters.
 */

/** Hash before the first event (and of an empty dispatcher). */
export const GENESIS_HASH = '0000000000000000';

/** FNV-1a over `text`, two lanes with different offsets, as 16 hex digits, chained to `prev`. */
export function chainHash(prev: string, text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
  };
  feed(prev);
  feed('\n');
  feed(text);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Freezes an object graph of plain objects and arrays (what the dispatcher hands out). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** JSON with object keys sorted at every level: the same text whatever order a store kept the keys in. */
export function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJSON(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Digest of a snapshot (every field but `digest` itself), so an edited snapshot is refused. */
export function snapshotDigest(snapshot: object): string {
  const { digest: _d, ...body } = snapshot as { digest?: string };
  return chainHash('snapshot', canonicalJSON(body));
}
