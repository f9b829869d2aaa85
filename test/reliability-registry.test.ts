/**
 * The skill and certification registries survive churn: bits nobody holds are reclaimed, so
 * adding and removing technicians with ever new names never fills the 32-bit masks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { RegistryFullError } from '../src/shared/errors.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('reliability-registry.test.ts');

describe('registries under churn', () => {
  it('32 technicians with distinct skills, added and removed, leave an empty registry that takes 32 more', () => {
    const fleet = new Fleet();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 32; i++) {
        fleet.add({
          id: `t${i}`,
          lat: 47,
          lon: 8,
          tier: 'friend',
          skills: [`s${round}-${i}`],
          certifications: [`p${round}-${i}`],
        });
      }
      expect(fleet.skillBits.size).toBe(32);
      for (let i = 0; i < 32; i++) fleet.remove(`t${i}`);
      expect(fleet.skillBits.size).toBe(0);
      expect(fleet.partnerBits.size).toBe(0);
    }
  });

  it('random add / update / remove churn: the registry holds exactly the names in use, and matching stays right', () => {
    const policy = createPolicy({ notificationCap: null });
    const op = fc.record({
      kind: fc.constantFrom('add', 'update', 'remove'),
      tech: fc.nat(15),
      skills: fc.uniqueArray(fc.nat(60), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const fleet = new Fleet();
        const model = new Map<string, string[]>();
        for (const o of ops) {
          const id = `t${o.tech}`;
          const skills = o.skills.map((s) => `skill${s}`);
          const next = new Map(model);
          if (o.kind === 'remove') next.delete(id);
          else if (o.kind === 'update' && !model.has(id)) continue;
          else next.set(id, skills);
          const inUse = new Set([...next.values()].flat());
          try {
            if (o.kind === 'remove') {
              if (!model.has(id)) continue;
              fleet.remove(id);
            } else if (o.kind === 'add')
              fleet.upsert({ id, lat: 47.37, lon: 8.54, tier: 'friend', radiusKm: 30, skills });
            else fleet.update(id, { skills });
          } catch (error) {
            // Full only when the names in use after the change really need more than 32 bits
            // (checked before the old names are released, so a change may need the old ones too).
            expect(error).toBeInstanceOf(RegistryFullError);
            expect(new Set([...inUse, ...fleet.skillBits.keys()]).size).toBeGreaterThan(32);
            continue;
          }
          model.clear();
          for (const [k, v] of next) model.set(k, v);
          expect(new Set(fleet.skillBits.keys())).toEqual(new Set([...model.values()].flat()));
          for (const [tid, s] of model) expect(new Set(fleet.get(tid)!.skills)).toEqual(new Set(s));
        }
        // Matching after the churn: a job needing a skill reaches exactly its holders.
        for (const s of new Set([...model.values()].flat())) {
          const p = plan(fleet, { id: 'j', lat: 47.37, lon: 8.54, skills: [s] }, { now: 0, policy });
          const holders = [...model].filter(([, v]) => v.includes(s)).map(([k]) => k);
          expect(new Set(p.candidates.map((c) => c.id))).toEqual(
            new Set(
              holders.slice(0, policy.maxNotifiedPerJob).length === holders.length
                ? holders
                : p.candidates.map((c) => c.id),
            ),
          );
          for (const c of p.candidates) expect(model.get(c.id)).toContain(s);
        }
      }),
      { seed, numRuns: 200 },
    );
  });
});
