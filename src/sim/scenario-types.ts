/**
 * The types of a scenario, one documented home for what each field means and its default. The
 * valibot schema in `scenario.ts` validates against them (a compile-time check there keeps the
 * two equal), so a field is added here and in the schema, and the compiler refuses a mismatch.
 */

/** A tier a job may ask for: Friends, Pros or either. */
export type TierAsked = 'friend' | 'pro' | 'any';

/** A city of the geography. */
export interface City {
  /** The city's name (shown in reports). */
  name: string;
  /** Degrees, −90 … 90. */
  lat: number;
  /** Degrees, −180 … 180. */
  lon: number;
  /** Weight of the city when placing technicians and customers (> 0). */
  population: number;
}

/** A technician given in a fleet file: the library's `TechnicianInput` (the fleet re-validates every field). */
export interface ScenarioTechnician {
  /** The technician's id (unique in the fleet). */
  id: string;
  /** Home latitude, degrees (−90 … 90). */
  lat: number;
  /** Home longitude, degrees (−180 … 180). */
  lon: number;
  /** The technician's tier: a Friend or a Pro. */
  tier: 'friend' | 'pro';
  /** Any other `TechnicianInput` field (radiusKm, skills, certifications, …). */
  [field: string]: unknown;
}

/** A weekly online pattern of part of a tier (HH:MM local times; an end before the start runs past midnight). */
export interface Shift {
  /** Share of the tier's technicians working this pattern (normalised within the tier). */
  share: number;
  /** Which tier follows it; absent = both. */
  tier?: 'friend' | 'pro';
  /** Days the shift starts on: 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Start, `HH:MM` (24 h). */
  start: string;
  /** End, `HH:MM` (24 h, `24:00` allowed). */
  end: string;
  /** Each technician's start and end move by up to ± this many minutes (fixed per technician). @default 45 */
  jitterMin: number;
  /** Chance a technician skips a given shift (sick, busy, no mood). @default 0.15 */
  skipShare: number;
}

/** The fleet: generated from these shares, or given as `technicians`. */
export interface FleetConfig {
  /** Technicians to generate (1 … 1,000,000). @default 1500 */
  size: number;
  /** Technicians given directly (from a file or GeoJSON, resolved by the CLI); replaces generation. */
  technicians?: ScenarioTechnician[];
  /** Share of Friends (the rest are Pros). @default 0.8 */
  friendShare: number;
  /** Service radius options, km (≤ 1000), and how often each is chosen. 30 km is the app's suggestion. @default values [20, 25, 30, 35, 40, 45, 50], weights [1, 1, 4, 2, 3, 1, 1] */
  radiusKm: {
    /** The radius options, km (≤ 1000). */
    values: number[];
    /** Relative weight of each option (same length as `values`). */
    weights: number[];
  };
  /** Share of technicians holding each skill. */
  skills: Record<string, number>;
  /** Share of technicians certified by each partner (Friends and Pros alike). @default swisscom 0.45, sunrise 0.2, brack 0.2 */
  certifications: Record<string, number>;
  /**
   * Share of Friends holding a community role (meet-up organiser, mentor, tester, ambassador), which
   * qualifies them as Best Friends whatever their figures. @default 0.01
   */
  engagementShare: number;
  /** Jobs a Pro can hold at once: uniform in [min, max]; Friends hold one. @default [1, 2] */
  proCapacity: [number, number];
  /** Ratings: mean (1 … 5, default 4.7) and spread (default 0.25) of the average, mean count (default 25). */
  rating: {
    /** Mean of the average rating, 1 … 5. @default 4.7 */
    mean: number;
    /** Standard deviation of the average rating. @default 0.25 */
    sd: number;
    /** Mean number of ratings per technician. @default 25 */
    meanCount: number;
  };
  /** Placement jitter around a city, km (standard deviation). @default 4 */
  jitterKm: number;
  /** Extra service areas (the "area extension" Friends ask for): none by default. */
  extraAreas: ExtraAreasConfig;
}

/**
 * Extra service areas of generated Friends: a share of them adds a round area (a 32-gon) around a
 * town near home, beyond their own radius, where they also take jobs.
 */
export interface ExtraAreasConfig {
  /** Share of Friends with an extra area. @default 0 */
  share: number;
  /** The area's radius, km, uniform in [min, max]. @default { min: 8, max: 20 } */
  radiusKm: {
    /** Smallest radius, km. */
    min: number;
    /** Largest radius, km. */
    max: number;
  };
  /** The town is drawn by population among those within this distance of home, beyond the own radius, km. @default 60 */
  withinKm: number;
}

/** A partner: its share of all jobs and its rules (merged into the policy's `partners`). */
export interface PartnerConfig {
  /** Share of all jobs this partner sends. */
  share: number;
  /** Only Pros may take its jobs. */
  proOnly?: boolean;
  /** Only technicians holding its certification may take its jobs. */
  requireCertification?: boolean;
  /** Pros may take its jobs that ask for a Friend. */
  allowProsOnFriendJobs?: boolean;
}

/** Appointments and direct bookings of a technician (docs/appointments.md); none by default. */
export interface BookingsConfig {
  /** Share of jobs that are appointments (never cancelled by the customer's impatience). @default 0 */
  appointmentShare: number;
  /** How far ahead an appointment starts, hours (uniform; the start rounded up to the hour). @default { min: 3, max: 48 } */
  leadHours: {
    /** Shortest lead, hours. */
    min: number;
    /** Longest lead, hours. */
    max: number;
  };
  /** Length of an appointment window, hours (≤ 24). @default 2 */
  windowHours: number;
  /** Share of jobs that book a Friend near the customer directly (from the Friend's profile). @default 0 */
  directShare: number;
  /** Of the direct bookings, the share that wants that Friend only (no fallback to the crowd). @default 0 */
  directOnlyShare: number;
  /** The booked Friend lives within this distance of the customer, km. @default 15 */
  directRadiusKm: number;
}

/** Synthetic demand: how many jobs, when, where and what they need. */
export interface DemandConfig {
  /** Mean jobs per day over the week (before the weekday weights, which are normalised). @default 2000 */
  jobsPerDay: number;
  /** Relative arrival intensity per local hour 0–23 (24 weights). */
  hourly: number[];
  /** Relative intensity per weekday, Sunday first (7 weights, normalised to a mean of 1). */
  weekday: number[];
  /** Relative frequency of the one skill a job needs (drawn by weight). */
  skills: Record<string, number>;
  /** Share of jobs that need a skill at all (the rest need none). @default 0.85 */
  skillShare: number;
  /** Tier asked for by non-partner jobs: weights of friend / pro / any. @default 0.25 / 0.1 / 0.65 */
  tier: {
    /** Weight of jobs asking for a Friend. */
    friend: number;
    /** Weight of jobs asking for a Pro. */
    pro: number;
    /** Weight of jobs taking either tier. */
    any: number;
  };
  /** Placement jitter around a city, km. @default 4 */
  jitterKm: number;
  /** Share of jobs cancelled by the customer before anyone accepts, and when (median minutes). @default { share: 0.02, medianMin: 8 } */
  cancel: {
    /** Share of jobs the customer cancels (0–1). */
    share: number;
    /** Median time from the request to the cancellation, minutes. */
    medianMin: number;
  };
  /** Bookings: appointments and direct bookings of a technician. */
  bookings: BookingsConfig;
}

/** The technician behaviour model: how fast and how often technicians answer, when they are online, how long a job takes. */
export interface BehaviourConfig {
  /** Time to answer an offer: a log-normal whose median differs per technician — median over technicians (ms, default 9000), log-space spread of the per-technician medians (default 0.9) and of one technician's answers (default 0.6). */
  responseMs: {
    /** Median over technicians of their median answer time, ms. */
    median: number;
    /** Log-space spread of the per-technician medians. */
    techSpread: number;
    /** Log-space sigma of one technician's answer times. */
    sigma: number;
  };
  /** Chance a notification is noticed while the offer is valid (phone in the pocket, in a meeting). @default 0.8 */
  seenShare: number;
  /**
   * Accept probability = base × eagerness × distance factor × hour factor × load factor: `base` for a
   * job next door (default 0.7), the spread of the per-technician eagerness (uniform in 1 ± spread,
   * clipped to [0, 1/base]; default 0.3), the distance at which it halves (km, default 18), a
   * multiplier per local hour 0–23, and one per job already held (a Pro with spare capacity; default 0.5).
   */
  accept: {
    /** Accept probability for a job next door (0–1). */
    base: number;
    /** Spread of the per-technician eagerness (uniform in 1 ± spread). */
    techSpread: number;
    /** Distance at which the accept probability halves, km. */
    halfDistanceKm: number;
    /** Multiplier per local hour 0–23 (24 values). */
    hourly: number[];
    /** Multiplier per job already held. */
    loadFactor: number;
  };
  /** Of the offers not accepted, the share declined explicitly (the rest are ignored until they expire). @default 0.5 */
  declineShare: number;
  /** Online hours (the app is open): weekly shift patterns per tier. */
  shifts: Shift[];
  /** Time on site: log-normal, median minutes (default 60) and log-space sigma (default 0.45). */
  onJobMin: {
    /** Median time on site, minutes. */
    median: number;
    /** Log-space sigma of the time on site. */
    sigma: number;
  };
  /** Travel to the customer: road distance = great-circle × detour (default 1.3), at an average speed (km/h, default 45), after a preparation time (minutes, default 12). */
  travel: {
    /** Average speed, km/h. */
    speedKmh: number;
    /** Road distance ÷ great-circle distance. */
    detourFactor: number;
    /** Preparation time before setting off, minutes. */
    prepMin: number;
  };
  /**
   * How a bonus (an escalation step's `bonus`) moves the accept probability: × (1 + elasticity ×
   * amount / referenceAmount), capped at 1. Elasticity 0 (the default) ignores bonuses; the
   * reference amount is in the bonus currency's minor units, like the bonus (default 1000 = 10.00).
   */
  bonus: {
    /** Relative accept-probability gain for a bonus of `referenceAmount` (0 ignores bonuses). */
    elasticity: number;
    /** The bonus amount the elasticity refers to, in the policy's bonus currency. */
    referenceAmount: number;
  };
  /**
   * Technicians cancelling a job they won (before they are at the door): the share of awards
   * (default 0) and when, a log-normal of median `medianMin` minutes after the award (default 20),
   * at the latest on arrival. The job re-opens without them (`Dispatcher.technicianCancel`).
   */
  technicianCancel: {
    /** Share of awards the technician cancels (0–1). */
    share: number;
    /** Median time from the award to the cancellation, minutes. */
    medianMin: number;
  };
  /**
   * Customers not at home: the share of jobs (default 0) whose technician waits `waitMin` minutes
   * at the door (default 15) and completes the job as `customer_no_show`.
   */
  noShow: {
    /** Share of jobs whose customer is not at home (0–1). */
    share: number;
    /** How long the technician waits at the door, minutes. */
    waitMin: number;
  };
}

/**
 * A job of a replayed history (CLI `--jobs`, read by `parseJobHistory`), times in ms since the
 * scenario's time 0 (local midnight of the history's first day).
 */
export interface HistoryJob {
  /** The job's id in the source data (kept in every export). */
  id: string;
  /** When the customer asked. */
  at: number;
  /** The customer's latitude, degrees. */
  lat: number;
  /** The customer's longitude, degrees. */
  lon: number;
  /** Tier the job asks for; absent = any. */
  tier?: TierAsked;
  /** Skills the job needs; absent = none. */
  skills?: string[];
  /** The partner that sent the job; absent = none. */
  partner?: string;
  /** An appointment: the technician is due at the door within [start, end). */
  appointment?: {
    /** Start of the window, ms since time 0. */
    start: number;
    /** End of the window (exclusive), ms since time 0. */
    end: number;
  };
  /** When the customer gave up in the source data (the replay cancels then if still open). */
  cancelAt?: number;
  /** What happened in reality, carried through to the per-job export for comparison. */
  observed?: {
    /** How the job ended in reality. */
    outcome: 'assigned' | 'unfilled' | 'cancelled';
    /** Seconds from the request to the accept; absent when not assigned or not known. */
    acceptS?: number;
    /** The technician who took it; absent when not assigned or not known. */
    technicianId?: string;
  };
}

/** A scenario with every default filled in (what `parseScenario` returns). */
export interface Scenario {
  /** Name shown in reports. @default 'ch-week' */
  name: string;
  /** Free text describing the scenario; absent = none. */
  description?: string;
  /** Simulated days (≤ 3660). @default 7 */
  days: number;
  /** Weekday at time 0 (00:00 local): 0 = Sunday … 6 = Saturday. @default 1 (Monday) */
  startWeekday: number;
  /** Cities technicians and customers live in, weighted by population. @default the Swiss fixture */
  cities: City[];
  /** The fleet: generated or given. */
  fleet: FleetConfig;
  /** Partners: share of jobs and their rules (merged into the policy's `partners`). @default swisscom 0.35, sunrise 0.07 (both require their certification), brack 0.13 (Pros only) */
  partners: Record<string, PartnerConfig>;
  /** Synthetic demand (unused when `history` is given). */
  demand: DemandConfig;
  /** Replayed jobs in place of synthetic demand (then `demand` is unused), sorted by `at`. */
  history?: HistoryJob[];
  /** The technician behaviour model. */
  behaviour: BehaviourConfig;
  /** What a technician earns per job (for the per-technician export), CHF: a fixed fee (default 20) plus time on site (per hour, default 40). */
  pay: {
    /** Fixed fee per job, CHF. @default 20 */
    perJob: number;
    /** Pay per hour on site, CHF. @default 40 */
    perHourOnSite: number;
  };
}

/** Every field optional, also inside nested objects and array elements. */
export type DeepPartial<T> = T extends readonly (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * A scenario as written in a file: any field may be left out (those with a default take it;
 * `parseScenario` names each required field that is missing, such as a shift's `share`).
 * @example
 * const input: ScenarioInput = { days: 1, demand: { jobsPerDay: 500 } };
 */
export type ScenarioInput = DeepPartial<Scenario>;
