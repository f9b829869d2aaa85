/**
 * Plans a handful of jobs on the embedded Swiss fleet (`fixtures/ch-fleet-1500.json`) and prints
 * each plan's waves and why nearby technicians were excluded. Run with `npm run demo:plan`.
 */
import { readFileSync } from 'node:fs';
import { createPolicy, Fleet, type Job, plan, type TechnicianInput } from 'crowd-dispatch';

const fixture = new URL('../fixtures/ch-fleet-1500.json', import.meta.url);
const technicians = JSON.parse(readFileSync(fixture, 'utf8')) as TechnicianInput[];

const fleet = new Fleet();
for (const t of technicians) fleet.add(t);

const policy = createPolicy({
  partners: { swisscom: { requireCertification: true }, brack: { proOnly: true } },
});
const jobs: Job[] = [
  { id: 'zurich-router', lat: 47.3769, lon: 8.5417, skills: ['router'], partner: 'swisscom' },
  { id: 'geneva-tv', lat: 46.2044, lon: 6.1432, skills: ['tv-mount'], tier: 'friend' },
  { id: 'lugano-delivery', lat: 46.0037, lon: 8.9511, skills: ['delivery'], partner: 'brack' },
  { id: 'bern-mesh', lat: 46.948, lon: 7.4474, skills: ['wifi-mesh', 'smart-home'] },
  { id: 'scuol-pc', lat: 46.7966, lon: 10.2979, skills: ['pc-setup'], maxRadiusKm: 25 },
];
// Monday 23 November 2026, 10:00 in Zurich.
const now = Date.UTC(2026, 10, 23, 9);

for (const job of jobs) {
  const p = plan(fleet, job, { now, policy, explain: true });
  console.log(`\n${job.id}: ${p.eligibleCount} eligible, ${p.candidates.length} ranked`);
  for (const wave of p.waves) {
    const who = wave.technicianIds.slice(0, 6).map((id) => {
      const c = p.candidates.find((x) => x.id === id)!;
      return `${id}${c.bestFriend ? '★' : ''} ${c.score.toFixed(2)} ${c.distanceKm.toFixed(1)}km`;
    });
    const more = wave.technicianIds.length > 6 ? ` … +${wave.technicianIds.length - 6}` : '';
    console.log(`  wave ${wave.index} at +${wave.offsetMs / 1000}s: ${who.join(', ')}${more}`);
  }
  const reasons = new Map<string, number>();
  for (const e of p.excluded ?? []) for (const r of e.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  console.log(`  excluded nearby: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
}
