/**
 * crowd-dispatch-sim: the dispatch simulator for data teams — a seeded discrete-event engine that
 * drives the real dispatcher over a Swiss geography, behaviour model, metrics, policy comparison
 * with common random numbers, and parameter sweeps. A separate package, so backend services
 * that import `crowd-dispatch` never load the simulator, its data or its dependencies. The CLI,
 * report and worker-thread code ship in the `crowd-dispatch` bin only.
 */
export { type Answer, acceptProbability, answer, type OfferContext } from './behaviour.js';
export {
  type CompareOptions,
  type Comparison,
  compare,
  KEY_METRICS,
  type MetricComparison,
  type NamedPolicy,
} from './compare.js';
export { Environment, type SimAction } from './engine.js';
export { exportFiles, jobsGeoJson, rowsCsv, rowsJsonl } from './export.js';
export { dominates, FRONTIER_KEYS, type FrontierPoint, frontierPoints, markEfficient } from './frontier.js';
export {
  type Breakdown,
  DOOR_BIN_MIN,
  type FairnessFigures,
  type SimDetail,
  type SimSummary,
} from './metrics.js';
export { type PolicyFile, PRESETS, parsePolicyFile, preset } from './presets.js';
export type { JobRecord, RunRecords, TechnicianRecord, TimelineEvent } from './records.js';
export { policyFor, runSimulation, type SimOptions, type SimResult } from './runner.js';
export {
  type BehaviourConfig,
  type BookingsConfig,
  type City,
  type DeepPartial,
  type DemandConfig,
  type ExtraAreasConfig,
  type FleetConfig,
  type HistoryJob,
  InvalidScenarioError,
  type PartnerConfig,
  parseScenario,
  type Scenario,
  type ScenarioInput,
  ScenarioSchema,
  type ScenarioTechnician,
  type Shift,
  SWISS_CITIES,
  type TierAsked,
} from './scenario.js';
export { type Estimate, estimate, gini, quantile, topDecileShare } from './stats.js';
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
} from './sweep.js';
export { buildWorld, type SimJob, type SimTechnician, type World } from './world.js';
