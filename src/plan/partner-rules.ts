/**
 * Partner rules: read and frozen once per policy, each region compiled once and kept beside the
 * rules, so a job's region test is one point-in-area check per job, never per technician.
 */

import { copyArea } from '../fleet/geo/area-copy.js';
import { areaContains, type CompiledArea, compileArea, InvalidAreaError } from '../fleet/geo/polygon.js';
import { describe, InvalidPolicyError } from '../shared/errors.js';
import type { GeoJsonArea, Job, PartnerRules } from '../shared/types.js';
import { bool, fail, object } from './policy-read.js';
import type { Policy } from './policy-types.js';

/** Compiled regions of the partner rules {@link createPolicy} made (kept off the rules: the fingerprint reads their JSON). */
const REGIONS = new WeakMap<Readonly<PartnerRules>, CompiledArea>();

function readRegion(value: unknown, path: string): { source: GeoJsonArea; area: CompiledArea } {
  try {
    const source = copyArea(value, path);
    return { source: source as GeoJsonArea, area: compileArea(source, path) };
  } catch (e) {
    if (e instanceof InvalidAreaError) throw new InvalidPolicyError(`policy.${e.message}`, e.path);
    return fail(
      path,
      `could not be read (${describe(e)})`,
      'pass a GeoJSON Polygon or MultiPolygon as plain data',
    );
  }
}

/** Reads `policy.partners`: each partner's rules frozen, its region compiled. */
export function resolvePartners(input: unknown): Record<string, Readonly<PartnerRules>> {
  const partnersIn = object(input, 'partners');
  const partners: Record<string, PartnerRules> = {};
  for (const [id, rules] of Object.entries(partnersIn)) {
    const p = object(rules, `partners.${id}`, [
      'proOnly',
      'requireCertification',
      'allowProsOnFriendJobs',
      'region',
    ]);
    const out: PartnerRules = {
      proOnly: bool(p.proOnly, false, `partners.${id}.proOnly`),
      requireCertification: bool(p.requireCertification, false, `partners.${id}.requireCertification`),
    };
    if (p.allowProsOnFriendJobs !== undefined) {
      out.allowProsOnFriendJobs = bool(
        p.allowProsOnFriendJobs,
        false,
        `partners.${id}.allowProsOnFriendJobs`,
      );
    }
    const region = p.region === undefined ? undefined : readRegion(p.region, `partners.${id}.region`);
    if (region !== undefined) out.region = region.source;
    partners[id] = Object.freeze(out);
    if (region !== undefined) REGIONS.set(partners[id]!, region.area);
  }
  return partners;
}

/**
 * Whether a job lies outside its partner's region (false when the job has no partner or the
 * partner no region): such a job may go to no one. Once per job, never per technician.
 * @example
 * const policy = createPolicy({ partners: { acme: { region: cantonAargau } } });
 * outsidePartnerRegion(policy, { id: 'j', lat: 47.37, lon: 8.54, partner: 'acme' }); // true: Zürich
 */
export function outsidePartnerRegion(policy: Policy, job: Pick<Job, 'lat' | 'lon' | 'partner'>): boolean {
  if (job.partner === undefined) return false;
  const rules = policy.partners[job.partner];
  const region = rules === undefined ? undefined : REGIONS.get(rules);
  return region !== undefined && !areaContains(region, job.lat, job.lon);
}
