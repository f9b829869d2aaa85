import { createPolicy, Fleet, plan } from 'crowd-dispatch';

const fleet = new Fleet();
fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend', skills: ['router'], rating: 4.9, ratingCount: 120 });
fleet.add({ id: 'ben', lat: 47.4245, lon: 8.5521, tier: 'friend', skills: ['router'], bestFriend: true, radiusKm: 40 });
fleet.add({ id: 'carla', lat: 47.05, lon: 8.31, tier: 'pro', skills: ['router', 'tv-mount'], radiusKm: 60 });
fleet.add({ id: 'dario', lat: 47.38, lon: 8.53, tier: 'friend', skills: ['tv-mount'] });
fleet.move('anna', 47.37, 8.54); // live GPS update, no rebuild
fleet.setOnline('ben', true);

const policy = createPolicy({ partners: { swisscom: { requireCertification: false } } });
const job = { id: 'job-1', lat: 47.36, lon: 8.53, tier: 'friend' as const, skills: ['router'], partner: 'swisscom' };
const result = plan(fleet, job, { now: Date.UTC(2026, 10, 23, 9), policy, explain: true });

for (const c of result.candidates) {
  console.log(c.rank, c.id, `wave ${c.wave}`, c.score.toFixed(3), `${c.distanceKm.toFixed(1)} km`, c.breakdown);
}
console.log(result.waves.map((w) => `${w.offsetMs / 1000}s: ${w.technicianIds.join(', ')}`));
console.log(result.excluded); // [{ id: 'dario', reasons: ['missing_skill'] }, { id: 'carla', reasons: ['tier'] }]
