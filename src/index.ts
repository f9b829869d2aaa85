/**
 * crowd-dispatch: which technicians of an on-demand crowd hear about a job, in what order, and
 * who gets it. Explicit exports only.
 */

export { Dispatcher, type DispatcherOptions, type ReplayOptions } from './dispatch/dispatcher.js';
export { JobsFailedError } from './dispatch/errors.js';
export type { DispatchEvent, DispatcherSnapshot, EventBase, Fact } from './dispatch/event-types.js';
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
} from './dispatch/session.js';
export type {
  AcceptOutcome,
  AcceptRefusal,
  AssignedEffect,
  CompletionReason,
  Effect,
  EscalatedEffect,
  ExpiredEffect,
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
export { UNFILLED_REASONS } from './dispatch/types.js';
export { MAX_AREAS } from './fleet/areas.js';
export { Fleet, type FleetOptions, type Neighbour } from './fleet/fleet.js';
export {
  areaBoxes,
  areaContains,
  type CompileAreaOptions,
  type CompiledArea,
  compileArea,
  InvalidAreaError,
} from './fleet/geo/polygon.js';
export { EARTH_RADIUS_KM, haversineKm } from './fleet/geo/sphere.js';
export type { Reservation } from './fleet/reservations.js';
export { parseHhmm } from './fleet/technician-input.js';
export { scheduleOf } from './plan/appointments.js';
export {
  BEST_FRIEND_CRITERIA,
  ENGAGEMENT_ROLES,
  type EngagementRole,
  type Qualification,
  type QualificationReason,
  qualifyBestFriends,
  type YearFigures,
} from './plan/bestFriends.js';
export { type EligibilityOverrides, type JobContext, RULES, type Rule } from './plan/eligibility.js';
export { type PlanOptions, plan } from './plan/plan.js';
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
} from './plan/policy.js';
export { FACTORS } from './plan/scoring.js';
export { type Bonus, ISO_4217, isCurrency } from './shared/currency.js';
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
  PersistenceError,
  RegistryFullError,
  UnknownIdError,
} from './shared/errors.js';
export { createRng, type Rng } from './shared/random.js';
export { TimeHeap } from './shared/time-heap.js';
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
} from './shared/types.js';
export {
  type AppendConflict,
  type AppendResult,
  type ClaimResult,
  type DispatchStore,
  FEED_START,
  type FeedCursor,
  FleetFollower,
  MAX_AWARD_TRIES,
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
