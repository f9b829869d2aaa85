/**
 * crowd-dispatch: which technicians of an on-demand crowd hear about a job, in what order, and
 * who gets it. Explicit exports only.
 */
export {
  BEST_FRIEND_CRITERIA,
  ENGAGEMENT_ROLES,
  qualifyBestFriends,
  type EngagementRole,
  type Qualification,
  type QualificationReason,
  type YearFigures,
} from './bestFriends.js';
export { RULES, type EligibilityOverrides, type Rule } from './eligibility.js';
export {
  CrowdDispatchError,
  DuplicateIdError,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidStateError,
  InvalidTechnicianError,
  RegistryFullError,
  UnknownIdError,
  type ErrorCode,
} from './errors.js';
export { Fleet, type FleetOptions, type Neighbour } from './fleet.js';
export { EARTH_RADIUS_KM, haversineKm } from './geo/sphere.js';
export { plan, type PlanOptions } from './plan.js';
export {
  createPolicy,
  DEFAULT_WEIGHTS,
  isPolicy,
  type EscalationStep,
  type Policy,
  type PolicyInput,
  type WaveSpec,
} from './policy.js';
export { createRng, type Rng } from './random.js';
export { FACTORS } from './scoring.js';
export type {
  Availability,
  AvailabilityWindow,
  Candidate,
  Exclusion,
  ExclusionReason,
  FactorName,
  Job,
  JobTier,
  PartnerRules,
  Plan,
  ScoreBreakdown,
  Technician,
  TechnicianInput,
  TechnicianStats,
  Tier,
  Wave,
} from './types.js';
