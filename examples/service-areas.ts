import { createPolicy, Fleet, plan } from 'crowd-dispatch';

// Marco lives in Olten with a 40 km radius; his "area extension" adds the city of Zürich (~50 km away).
const zurichCity = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [8.45, 47.32],
      [8.63, 47.32],
      [8.63, 47.43],
      [8.45, 47.43],
      [8.45, 47.32],
    ],
  ],
};
const fleet = new Fleet();
fleet.add({ id: 'marco', lat: 47.35, lon: 7.9, tier: 'friend', radiusKm: 40, areas: [zurichCity] });

const policy = createPolicy();
const now = Date.UTC(2026, 11, 2, 9);
const inZurich = plan(fleet, { id: 'job-zh', lat: 47.3769, lon: 8.5417 }, { now, policy });
console.log(inZurich.candidates.map((c) => [c.id, c.via])); // [['marco', 'area']]: beyond his radius, in his area
const inWinterthur = plan(fleet, { id: 'job-w', lat: 47.4988, lon: 8.7237 }, { now, policy, explain: true });
console.log(inWinterthur.candidates.length, inWinterthur.excluded); // 0 []: in neither, and too far to be listed
