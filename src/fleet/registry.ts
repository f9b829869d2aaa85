/**
 * Names (skills, partner certifications) as bits of a 32-bit mask, so a candidate scan tests a
 * technician's skills with one AND. Bits are counted per holder and reclaimed when the last holder
 * goes, so churn never fills the 32 bits.
 */
import { RegistryFullError } from '../shared/errors.js';

export class NameRegistry {
  /** Name → bit. */
  readonly bits = new Map<string, number>();
  /** Technicians holding each bit. */
  private readonly holders = new Uint32Array(32);

  constructor(private readonly what: string) {}

  /** Throws {@link RegistryFullError} if registering `names` would pass 32 distinct entries. */
  check(names: readonly string[] | undefined): void {
    if (!names) return;
    const fresh = [...new Set(names)].filter((n) => !this.bits.has(n));
    if (this.bits.size + fresh.length > 32) {
      const w = this.what;
      throw new RegistryFullError(
        `${w} '${fresh[0]}' would be the 33rd distinct ${w}; crowd-dispatch keeps ${w}s in a 32-bit mask. Merge rare ${w}s or open an issue.`,
      );
    }
  }

  /** The mask of `names`, registering new ones at the lowest free bit (call {@link check} first). */
  register(names: readonly string[] | undefined): number {
    let mask = 0;
    if (names) {
      for (const n of names) {
        let bit = this.bits.get(n);
        if (bit === undefined) {
          let used = 0;
          for (const b of this.bits.values()) used |= b;
          bit = (~used & (used + 1)) >>> 0;
          this.bits.set(n, bit);
        }
        mask = (mask | bit) >>> 0;
      }
    }
    return mask;
  }

  /** Moves one technician's holdings from mask `before` to `after`; unheld names leave the registry. */
  hold(before: number, after: number): void {
    if (before === after) return;
    const counts = this.holders;
    for (let i = 0; i < 32; i++) {
      const bit = (1 << i) >>> 0;
      if (after & bit) counts[i]!++;
      if (before & bit && --counts[i]! === 0) {
        for (const [name, b] of this.bits) {
          if (b === bit) {
            this.bits.delete(name);
            break;
          }
        }
      }
    }
  }

  /** Mask of registered names; unknown names set `unknown` (nobody can match them). */
  maskOf(names: readonly string[] | undefined): { mask: number; unknown: boolean } {
    let mask = 0;
    let unknown = false;
    if (names) {
      for (const n of names) {
        const bit = this.bits.get(n);
        if (bit === undefined) unknown = true;
        else mask = (mask | bit) >>> 0;
      }
    }
    return { mask, unknown };
  }
}
