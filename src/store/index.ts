/** The store port, the in-memory store and the store-backed dispatcher. */
export { StoreDispatcher, type StoreDispatcherOptions } from './dispatcher.js';
export { StoreConflictError, StoreFailedError, StoreTimeoutError, StoreUnavailableError } from './errors.js';
export { FleetFollower } from './follow.js';
export { MemoryStore } from './memory.js';
export { replayJob } from './replay.js';
export {
  type AppendConflict,
  type AppendResult,
  type ClaimResult,
  type DispatchStore,
  FEED_START,
  type FeedCursor,
  MAX_AWARD_TRIES,
  type OutboxEntry,
  type Step,
  type StoredEvent,
  type StoredInput,
  type StoredJob,
} from './types.js';
