/**
 * Domain types of crowd-dispatch. Times are milliseconds on any epoch the caller chooses
 * (`now` is always passed in); distances are kilometres on a sphere of radius 6371.0088 km.
 */

/** Technician tier: vetted private individuals (`friend`) or professional businesses (`pro`). */
export type Tier = 'friend' | 'pro';

/** What a job accepts: only Friends, only Pros, or either. */
export type JobTier = Tier | 'any';

/** A weekly availability window in the technician's local time. `end` before `start` wraps past midnight. */
export interface AvailabilityWindow {
  /** Day of the week the window starts on: 0 = Sunday … 6 = Saturday. */
  day: number;
  /** Local start time, `HH:MM` (24 h). */
  start: string;
  /** Local end time, `HH:MM` (24 h); `24:00` is allowed. */
  end: string;
}

/** Weekly availability: the technician is available only inside one of the windows. */
export interface Availability {
  /** IANA time zone, e.g. `Europe/Zurich`. */
  timeZone: string;
  /** Windows in local time. An empty list means never available. */
  windows: readonly AvailabilityWindow[];
}

/** Counters the score needs; the dispatcher keeps them up to date, a caller may seed them. */
export interface TechnicianStats {
  /** Offers received recently (exponentially decayed, see `FleetOptions.counterHalfLifeMs`). @default 0 */
  recentOffers?: number;
  /** Jobs won recently (decayed like `recentOffers`). @default 0 */
  recentAwards?: number;
  /** Share of offers accepted, 0–1 (moving average). @default undefined (unknown: the policy prior applies) */
  acceptRate?: number;
  /** Typical time to answer an offer in ms (moving average). @default undefined (unknown) */
  responseMs?: number;
}

/** A GeoJSON position: `[lon, lat]` or `[lon, lat, altitude]` (the altitude is ignored). */
export type GeoJsonPosition = readonly number[];

/** A GeoJSON Polygon (RFC 7946): a shell ring, then its holes; each ring closed (first = last position). */
export interface GeoJsonPolygon {
  /** GeoJSON type tag. */
  type: 'Polygon';
  /** Linear rings of [lon, lat] positions: the outer ring first, then holes. */
  coordinates: readonly (readonly GeoJsonPosition[])[];
  /** Optional GeoJSON bounding box. */
  bbox?: readonly number[];
}

/** A GeoJSON MultiPolygon: the union of its polygons. */
export interface GeoJsonMultiPolygon {
  /** GeoJSON type tag. */
  type: 'MultiPolygon';
  /** The polygons, each as linear rings of [lon, lat] positions (outer ring first, then holes). */
  coordinates: readonly (readonly (readonly GeoJsonPosition[])[])[];
  /** Optional GeoJSON bounding box. */
  bbox?: readonly number[];
}

/**
 * A service area: a GeoJSON Polygon or MultiPolygon geometry, or a Feature of one (semantics and
 * validation in docs/service-areas.md).
 */
export type GeoJsonArea =
  | GeoJsonPolygon
  | GeoJsonMultiPolygon
  | {
      /** GeoJSON type tag. */
      type: 'Feature';
      /** The area itself. */
      geometry: GeoJsonPolygon | GeoJsonMultiPolygon;
      /** Free GeoJSON properties (not used by dispatch). */
      properties?: Record<string, unknown> | null;
      /** Optional GeoJSON feature id. */
      id?: string | number;
      /** Optional GeoJSON bounding box. */
      bbox?: readonly number[];
    };

/** A technician as given to {@link Fleet.add} / {@link Fleet.upsert}. */
export interface TechnicianInput {
  /** Unique id, a non-empty string. */
  id: string;
  /** WGS84 latitude in degrees, −90…90. */
  lat: number;
  /** WGS84 longitude in degrees, −180…180. */
  lon: number;
  /** `friend` or `pro`. */
  tier: Tier;
  /** Service radius chosen by the technician, km. @default 30 */
  radiusKm?: number;
  /** Average rating, 1–5. Ignored while `ratingCount` is 0. */
  rating?: number;
  /** Number of ratings behind `rating`. @default 0 */
  ratingCount?: number;
  /** Holds the Best Friend status this year. @default false */
  bestFriend?: boolean;
  /** Skills, e.g. `router`, `tv-mount`. @default [] */
  skills?: readonly string[];
  /** Partner certifications (partner ids), e.g. `swisscom`. @default [] */
  certifications?: readonly string[];
  /** Logged into the app and reachable. @default true */
  online?: boolean;
  /** Weekly availability; absent means always available while online. */
  availability?: Availability;
  /** Jobs the technician can hold at once. @default 1 */
  capacity?: number;
  /** Jobs the technician holds now. @default 0 */
  load?: number;
  /** Counters for fairness and responsiveness. */
  stats?: TechnicianStats;
  /**
   * Extra service areas besides the radius: a job inside one of them is within reach even when it
   * is beyond `radiusKm` (the job's `maxRadiusKm` still applies). At most 64. @default []
   */
  areas?: readonly GeoJsonArea[];
}

/** A technician as read back from the fleet: every field resolved. */
export interface Technician {
  /** Unique id, a non-empty string. */
  id: string;
  /** WGS84 latitude in degrees, −90…90. */
  lat: number;
  /** WGS84 longitude in degrees, −180…180. */
  lon: number;
  /** `friend` or `pro`. */
  tier: Tier;
  /** Service radius chosen by the technician, km. */
  radiusKm: number;
  /** Average rating, 1–5; undefined when none was given or `ratingCount` is 0. */
  rating: number | undefined;
  /** Number of ratings behind `rating`. */
  ratingCount: number;
  /** Holds the Best Friend status this year. */
  bestFriend: boolean;
  /** Skills, e.g. `router`, `tv-mount`. */
  skills: string[];
  /** Partner certifications (partner ids), e.g. `swisscom`. */
  certifications: string[];
  /** Logged into the app and reachable. */
  online: boolean;
  /** Weekly availability; undefined means always available while online. */
  availability: Availability | undefined;
  /** Jobs the technician can hold at once. */
  capacity: number;
  /** Jobs the technician holds now. */
  load: number;
  /** Extra service areas as given (frozen copies); empty when none. */
  areas: readonly GeoJsonArea[];
  /** Counters decayed to the time of the last update (the planner decays them further to a job's time). */
  stats: Required<Pick<TechnicianStats, 'recentOffers' | 'recentAwards'>> &
    Pick<TechnicianStats, 'acceptRate' | 'responseMs'>;
}

/** A job to dispatch. */
export interface Job {
  /** Unique id. */
  id: string;
  /** WGS84 latitude of the customer's home. */
  lat: number;
  /** WGS84 longitude of the customer's home. */
  lon: number;
  /** Which tiers may take it. A partner marked `proOnly` forces `pro`. @default 'any' */
  tier?: JobTier;
  /** Skills every notified technician must have. @default [] */
  skills?: readonly string[];
  /** Partner that sent the job (e.g. `swisscom`); its rules in the policy apply. */
  partner?: string;
  /** Require the partner's certification; overrides the partner's default. */
  requireCertification?: boolean;
  /** Only technicians within this distance of the job, km (on top of their own radius). */
  maxRadiusKm?: number;
  /** Technicians the customer blocked. */
  blocked?: readonly string[];
  /**
   * An appointment: the customer's requested window in the future. Absent: an on-demand job (now).
   * See `docs/appointments.md`.
   */
  window?: AppointmentWindow;
  /** The technician(s) the customer chose: offered first and exclusively (see {@link PreferredTechnicians}). */
  preferred?: PreferredTechnicians;
}

/** A requested appointment window: absolute times in ms (the epoch of `now`), shown in `timeZone`. */
export interface AppointmentWindow {
  /** When the appointment starts, ms. */
  start: number;
  /** When it ends, ms (after `start`, at most `policy.appointments.maxWindowMs` later). */
  end: number;
  /** IANA time zone of the customer, e.g. `Europe/Zurich` (for display; availability uses the technician's own zone). */
  timeZone: string;
}

/**
 * A direct booking: the technician the customer booked from the profile, or the customer's ordered
 * list of preferred technicians. All of them are offered at once, exclusively, for
 * `policy.preferredExclusiveMs`; then the crowd waves follow — unless `only`.
 */
export interface PreferredTechnicians {
  /** Technician ids, most preferred first (1 to 20, no repeats, each known to the fleet). */
  technicianIds: readonly string[];
  /** Only these technicians: hand the job back (`preferred_unavailable`) instead of falling back to the crowd. @default false */
  only?: boolean;
}

/** Per-partner rules, keyed by partner id in {@link PolicyInput.partners}. */
export interface PartnerRules {
  /** Only Pros may take this partner's jobs. @default false */
  proOnly?: boolean;
  /** Only technicians holding this partner's certification. @default false */
  requireCertification?: boolean;
  /** Pros may take this partner's Friend jobs (overrides the policy default). */
  allowProsOnFriendJobs?: boolean;
  /**
   * The region this partner's jobs must lie in: a job outside it gets no candidates and the plan's
   * job-level reason `outside_partner_region`; the dispatcher hands it back unfilled at once.
   */
  region?: GeoJsonArea;
}

/** Score factor names, in breakdown order. */
export type FactorName = 'distance' | 'tierFit' | 'rating' | 'bestFriend' | 'fairness' | 'responsiveness';

/** Each factor normalised to [0, 1]. */
export type ScoreBreakdown = Record<FactorName, number>;

/** A reason a technician is not notified. */
export type ExclusionReason =
  | 'outside_own_radius'
  | 'beyond_job_radius'
  | 'offline'
  | 'tier'
  | 'missing_skill'
  | 'not_certified'
  | 'unavailable_now'
  | 'unavailable_in_window'
  | 'booked_in_window'
  | 'at_capacity'
  | 'notification_cap'
  | 'blocked_by_customer'
  | 'already_offered';

/** A ranked, eligible technician. */
export interface Candidate {
  /** Technician id. */
  id: string;
  /** 0-based rank (0 = best). */
  rank: number;
  /** First-round wave the technician is notified in, or -1 for the reserve (escalation only). */
  wave: number;
  /** Weighted score in [0, 1]. */
  score: number;
  /** Great-circle distance to the job, km. */
  distanceKm: number;
  /** The radius that applied (the smaller of the technician's and the job's), km. */
  radiusKm: number;
  /**
   * `'area'` when the job is beyond the technician's own radius but inside one of his extra
   * service areas (his distance factor is then 0); `'radius'` otherwise.
   */
  via: 'radius' | 'area';
  /** Best Friend flag (moved into an earlier wave). */
  bestFriend: boolean;
  /** Each factor in [0, 1] before weighting. */
  breakdown: ScoreBreakdown;
}

/** A technician near the job that was excluded, with every rule it failed. */
export interface Exclusion {
  /** The technician's id. */
  id: string;
  /** Great-circle distance from the technician to the job, km. */
  distanceKm: number;
  /** Every rule the technician failed. */
  reasons: ExclusionReason[];
}

/** One notification wave. */
export interface Wave {
  /** 0-based wave number. */
  index: number;
  /** When this wave goes out, ms after the crowd phase starts (`schedule.crowdAt`). */
  offsetMs: number;
  /** Technician ids in rank order. */
  technicianIds: string[];
}

/** Why no technician at all may take a job (a job-level reason of a {@link Plan}). */
export type JobExclusionReason = 'outside_partner_region';

/** The deterministic answer to "who hears about this job, when?". */
export interface Plan {
  /** The job planned. */
  jobId: string;
  /** When the plan was made (the `now` passed in). */
  at: number;
  /** Ranked eligible technicians, best first, at most `policy.maxNotifiedPerJob`. */
  candidates: Candidate[];
  /** First-round waves. Candidates not in a wave are the reserve for escalation. */
  waves: Wave[];
  /**
   * Technicians near the job (within the fleet's largest service radius) that are not eligible,
   * with reasons, nearest first; only with `explain: true`.
   */
  excluded?: Exclusion[];
  /** How many technicians were eligible in total (before the cap). */
  eligibleCount: number;
  /** Set when the job itself is refused (no technician was considered): why. */
  jobReason?: JobExclusionReason;
  /**
   * When offers go out and when the job is handed back unfilled, for appointment jobs and direct
   * bookings (absent for a plain on-demand job, whose waves start at `at`).
   */
  schedule?: PlanSchedule;
  /** The chosen technicians in the customer's order, each with the rules he fails (empty: offered first). */
  preferred?: PreferredVerdict[];
}

/** The timeline of a booking (absolute ms), see {@link Plan.schedule}. */
export interface PlanSchedule {
  /** When the first offers go out: `window.start − appointments.leadMs` (moved out of `appointments.quietHours`), or at once if that has passed. */
  offersAt: number;
  /** When the exclusive phase of the chosen technicians ends and the crowd waves start (= `offersAt` without one). */
  crowdAt: number;
  /** When the job is handed back unfilled if nobody accepted. */
  deadlineAt: number;
}

/** A chosen technician and whether he is offered the job first. */
export interface PreferredVerdict {
  /** The chosen technician's id. */
  id: string;
  /** Great-circle distance from him to the job, km. */
  distanceKm: number;
  /** Rules he fails; empty when he is offered the job in the exclusive phase. */
  reasons: ExclusionReason[];
}
