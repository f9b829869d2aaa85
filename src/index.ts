/**
 * crowd-dispatch: which technicians of an on-demand crowd hear about a job, in what order, and
 * who gets it. Explicit exports only.
 */
export {
  BEST_FRIEND_CRITERIA,
  ENGAGEMENT_ROLES,
  type EngagementRole,
  type Qualification,
  type QualificationReason,
  qualifyBestFriends,
  type YearFigures,
} from './bestFriends.js';
export type {
  AcceptOutcome,
  AcceptRefusal,
  AssignedEffect,
  DispatchEvent,
  DispatcherSnapshot,
  Effect,
  EscalatedEffect,
  ExpiredEffect,
  Fact,
  IneligibleReason,
  JobState,
  JobStatus,
  NotifyEffect,
  OfferRecord,
  PlannedOffer,
  RevokeEffect,
  RevokeReason,
  SessionJSON,
  UnavailableReason,
  UnfilledEffect,
  UnfilledReason,
} from './dispatch/types.js';
export { Dispatcher, type DispatcherOptions, type ReplayOptions } from './dispatcher.js';
export { type EligibilityOverrides, RULES, type Rule } from './eligibility.js';
export {
  CrowdDispatchError,
  DuplicateIdError,
  type ErrorCode,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidStateError,
  InvalidTechnicianError,
  RegistryFullError,
  UnknownIdError,
} from './errors.js';
export { Fleet, type FleetOptions, type Neighbour } from './fleet.js';
export { EARTH_RADIUS_KM, haversineKm } from './geo/sphere.js';
export { type PlanOptions, plan } from './plan.js';
export {
  createPolicy,
  DEFAULT_WEIGHTS,
  type EscalationStep,
  isPolicy,
  type Policy,
  type PolicyInput,
  type WaveSpec,
} from './policy.js';
export { createRng, type Rng } from './random.js';
export { FACTORS } from './scoring.js';
export {
  coarsenKm,
  dueAt,
  isRunning,
  type OpenInput,
  openSession,
  type SessionEnv,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from './session.js';
// The simulator (no CLI, report or worker-thread code: those ship in the `crowd-dispatch` bin).
export { type Answer, acceptProbability, answer, type OfferContext } from './sim/behaviour.js';
export {
  type CompareOptions,
  type Comparison,
  compare,
  KEY_METRICS,
  type MetricComparison,
  type NamedPolicy,
} from './sim/compare.js';
export { Environment, type SimAction } from './sim/engine.js';
export type { FairnessFigures, SimDetail, SimSummary } from './sim/metrics.js';
export { type PolicyFile, PRESETS, parsePolicyFile, preset } from './sim/presets.js';
export { policyFor, runSimulation, type SimOptions, type SimResult } from './sim/runner.js';
export {
  type City,
  InvalidScenarioError,
  parseScenario,
  type Scenario,
  type ScenarioInput,
  ScenarioSchema,
  SWISS_CITIES,
} from './sim/scenario.js';
export { type Estimate, estimate, gini, quantile, topDecileShare } from './sim/stats.js';
export {
  expandSweep,
  parseShard,
  parseSweep,
  runPoint,
  type Shard,
  type SweepPoint,
  type SweepRow,
  type SweepSpec,
  shardPoints,
} from './sim/sweep.js';
export { buildWorld, type SimJob, type SimTechnician, type World } from './sim/world.js';
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
