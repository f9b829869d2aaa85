/**
 * crowd-dispatch: which technicians of an on-demand crowd hear about a job, in what order, and
 * who gets it. Explicit exports only.
 */

export { scheduleOf } from './appointments.js';
export {
  BEST_FRIEND_CRITERIA,
  ENGAGEMENT_ROLES,
  type EngagementRole,
  type Qualification,
  type QualificationReason,
  qualifyBestFriends,
  type YearFigures,
} from './bestFriends.js';
export { type Bonus, ISO_4217, isCurrency } from './currency.js';
export type {
  AcceptOutcome,
  AcceptRefusal,
  AssignedEffect,
  CompletionReason,
  DispatchEvent,
  DispatcherSnapshot,
  Effect,
  EscalatedEffect,
  ExpiredEffect,
  Fact,
  HeldEffect,
  IneligibleReason,
  JobState,
  JobStatus,
  NotifyEffect,
  OfferRecord,
  PlannedOffer,
  ReopenedEffect,
  RevokeEffect,
  RevokeReason,
  SessionJSON,
  TechnicianCancelOutcome,
  UnavailableReason,
  UnfilledEffect,
  UnfilledReason,
} from './dispatch/types.js';
export { Dispatcher, type DispatcherOptions, type ReplayOptions } from './dispatcher.js';
export { type EligibilityOverrides, RULES, type Rule } from './eligibility.js';
export {
  CrowdDispatchError,
  DuplicateIdError,
  describe as describeValue,
  type ErrorCode,
  InputFailedError,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidRecordError,
  InvalidStateError,
  InvalidTechnicianError,
  JobsFailedError,
  PersistenceError,
  RegistryFullError,
  UnknownIdError,
} from './errors.js';
export { Fleet, type FleetOptions, type Neighbour } from './fleet.js';
export { MAX_AREAS } from './fleet-areas.js';
export {
  areaBoxes,
  areaContains,
  type CompileAreaOptions,
  type CompiledArea,
  compileArea,
  InvalidAreaError,
} from './geo/polygon.js';
export { EARTH_RADIUS_KM, haversineKm } from './geo/sphere.js';
export { type PlanOptions, plan } from './plan.js';
export {
  type AppointmentPolicy,
  type AwardCriterion,
  type AwardRule,
  createPolicy,
  DEFAULT_WEIGHTS,
  type EscalationAction,
  type EscalationStep,
  isPolicy,
  outsidePartnerRegion,
  type Policy,
  type PolicyInput,
  type WaveSpec,
} from './policy.js';
export { createRng, type Rng } from './random.js';
export type { Reservation } from './reservations.js';
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
  technicianCancelRefusal,
  transition,
} from './session.js';
export {
  type AppendResult,
  type ClaimResult,
  type DispatchStore,
  FEED_START,
  type FeedCursor,
  FleetFollower,
  MemoryStore,
  type OutboxEntry,
  replayJob,
  type Step,
  StoreConflictError,
  StoreDispatcher,
  type StoreDispatcherOptions,
  type StoredEvent,
  type StoredInput,
  type StoredJob,
  StoreFailedError,
  StoreTimeoutError,
  StoreUnavailableError,
} from './store/index.js';
export type {
  AppointmentWindow,
  Availability,
  AvailabilityWindow,
  Candidate,
  Exclusion,
  ExclusionReason,
  FactorName,
  GeoJsonArea,
  GeoJsonMultiPolygon,
  GeoJsonPolygon,
  GeoJsonPosition,
  Job,
  JobExclusionReason,
  JobTier,
  PartnerRules,
  Plan,
  PlanSchedule,
  PreferredTechnicians,
  PreferredVerdict,
  ScoreBreakdown,
  Technician,
  TechnicianInput,
  TechnicianStats,
  Tier,
  Wave,
} from './types.js';
