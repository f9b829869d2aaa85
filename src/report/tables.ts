/**
 * The report's per-technician table: how offers and awards spread over the Friends and the Pros
 * under each policy (median, 90th percentile, maximum, share without any award), averaged over
 * every seed, with the number of seeds in the caption.
 */
import type { Comparison } from '../sim/compare.js';
import { quantile, sortedCopy } from '../sim/stats.js';
import { bandOf, seedsOf } from './bands.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const COLUMNS = [
  'technicians',
  'offers p50',
  'offers p90',
  'offers max',
  'awards p50',
  'awards p90',
  'awards max',
  'without award',
] as const;

/** One row's figures for a tier in one seed. */
function figures(techs: readonly { tier: string; offers: number; awards: number }[], tier: string): number[] {
  const group = techs.filter((t) => t.tier === tier);
  const offers = sortedCopy(group.map((t) => t.offers));
  const awards = sortedCopy(group.map((t) => t.awards));
  const last = (a: Float64Array) => (a.length ? a[a.length - 1]! : Number.NaN);
  return [
    group.length,
    quantile(offers, 0.5),
    quantile(offers, 0.9),
    last(offers),
    quantile(awards, 0.5),
    quantile(awards, 0.9),
    last(awards),
    group.length ? group.filter((t) => t.awards === 0).length / group.length : Number.NaN,
  ];
}

/** The HTML table (empty when the comparison kept no detail). */
export function technicianTable(c: Comparison): string {
  const rows: string[] = [];
  for (const policy of c.policies) {
    const seeds = seedsOf(c, policy);
    if (seeds.length === 0) continue;
    for (const tier of ['friend', 'pro'] as const) {
      const perSeed = seeds.map((d) => figures(d.technicians, tier));
      const cells = COLUMNS.map((col, k) => {
        const b = bandOf(perSeed.map((f) => f[k]));
        if (!b) return '<td>–</td>';
        const v =
          col === 'without award' ? `${(b.mean * 100).toFixed(1)} %` : b.mean.toFixed(b.mean >= 100 ? 0 : 1);
        return `<td>${v}</td>`;
      }).join('');
      rows.push(
        `<tr><th scope="row">${esc(policy)}</th><th scope="row">${tier}s</th>${cells}<td>${seeds.length}</td></tr>`,
      );
    }
  }
  if (rows.length === 0) return '';
  const n = c.seeds.length;
  return `<h2>Per technician</h2>
<p class="note">Offers and awards per technician over the run: median, 90th percentile and maximum within each tier, and the share of the tier without any award; each figure is the mean over ${n} seed${n > 1 ? 's' : ''}. The per-technician rows themselves are in <code>--export</code>'s technicians.csv.</p>
<table class="technicians"><caption>mean over ${n} seed${n > 1 ? 's' : ''}</caption><thead><tr><th>policy</th><th>tier</th>${COLUMNS.map((col) => `<th>${col}</th>`).join('')}<th>seeds</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}
