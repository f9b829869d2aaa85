/**
 * Waves: ranked candidates → timed notification waves. Rank decides the nominal wave; a Best
 * Friend moves `bestFriendWaveAdvance` waves earlier (and one from the reserve joins the last
 * wave), which shapes who hears first and how often — never who wins an accept, which the session
 * decides by first valid accept.
 */

import type { Wave } from '../shared/types.js';
import type { Policy } from './policy.js';

/**
 * Assigns each ranked candidate its first-round wave (or -1 for the reserve) and lists the waves.
 * `bestFriend[i]` is the flag of the candidate ranked `i`; `ids[i]` its id.
 * @example
 * assignWaves(['a', 'b'], [false, true], policy) // { waveOf: [0, 0], waves: [{ index: 0, offsetMs: 0, technicianIds: ['a', 'b'] }, …] }
 */
export function assignWaves(
  ids: readonly string[],
  bestFriend: readonly boolean[],
  policy: Policy,
): { waveOf: number[]; waves: Wave[] } {
  const last = policy.waves.length - 1;
  const advance = policy.bestFriendWaveAdvance;
  const waves: Wave[] = policy.waves.map((w, index) => ({ index, offsetMs: w.offsetMs, technicianIds: [] }));
  const waveOf = new Array<number>(ids.length);
  let nominal = 0;
  let waveEnd = policy.waves[0]!.size;
  for (let rank = 0; rank < ids.length; rank++) {
    while (nominal >= 0 && rank >= waveEnd) {
      nominal = nominal === last ? -1 : nominal + 1;
      if (nominal >= 0) waveEnd += policy.waves[nominal]!.size;
    }
    let w = nominal;
    if (bestFriend[rank] && advance > 0)
      w = w < 0 ? Math.max(0, last + 1 - advance) : Math.max(0, w - advance);
    if (w >= 0) waves[w]!.technicianIds.push(ids[rank]!);
    waveOf[rank] = w;
  }
  return { waveOf, waves };
}
