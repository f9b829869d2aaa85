/**
 * createPolicy: documented defaults, a frozen result, and a typed InvalidPolicyError naming the
 * field (`path`) and the fix for every invalid value of every field.
 */
import { describe, expect, it } from 'vitest';
import { createPolicy, isPolicy, type PolicyInput } from '../src/plan/policy.js';
import { InvalidPolicyError } from '../src/shared/errors.js';

describe('defaults', () => {
  it('fills in every documented default', () => {
    const p = createPolicy();
    expect(p).toMatchObject({
      weights: {
        distance: 0.35,
        tierFit: 0.1,
        rating: 0.2,
        bestFriend: 0.1,
        fairness: 0.15,
        responsiveness: 0.1,
      },
      rating: { prior: 4.3, priorCount: 10 },
      fairness: { offersScale: 20, awardsScale: 4 },
      responsiveness: { acceptRatePrior: 0.5, responseScaleMs: 30_000, responseMsPrior: 30_000 },
      tierFit: { friendOnAny: 1, proOnAny: 0.8, proOnFriend: 0.5 },
      allowProsOnFriendJobs: false,
      partners: {},
      waves: [
        { size: 5, offsetMs: 0 },
        { size: 10, offsetMs: 15_000 },
        { size: 15, offsetMs: 35_000 },
      ],
      maxNotifiedPerJob: 60,
      bestFriendWaveAdvance: 1,
      notificationCap: { max: 12, windowMs: 3_600_000 },
      offerTtlMs: 60_000,
      reofferDeclined: false,
      escalation: [
        { action: 'deeper', afterMs: 60_000, size: 20 },
        { action: 'widen', afterMs: 120_000, radiusKm: 60 },
        { action: 'allowPros', afterMs: 180_000 },
        { action: 'broadcast', afterMs: 300_000 },
      ],
      deadlineMs: 900_000,
    });
    expect(isPolicy(p)).toBe(true);
    expect(createPolicy({})).toEqual(p);
  });

  it('keeps given values, fills partner rules and raises maxNotifiedPerJob to the first round', () => {
    const p = createPolicy({
      weights: { distance: 2 },
      partners: { brack: { proOnly: true } },
      waves: [{ size: 70, offsetMs: 0 }],
      notificationCap: { max: 3, windowMs: 1000 },
      escalation: [],
    });
    expect(p.weights).toMatchObject({ distance: 2, rating: 0.2 });
    expect(p.partners).toEqual({ brack: { proOnly: true, requireCertification: false } });
    expect(p.maxNotifiedPerJob).toBe(70);
    expect(p.notificationCap).toEqual({ max: 3, windowMs: 1000 });
    expect(p.escalation).toEqual([]);
    expect(createPolicy({ notificationCap: null }).notificationCap).toBeNull();
  });

  it('is deeply frozen and not fooled by copies', () => {
    const p = createPolicy();
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.weights)).toBe(true);
    expect(Object.isFrozen(p.waves)).toBe(true);
    expect(Object.isFrozen(p.waves[0])).toBe(true);
    expect(Object.isFrozen(p.escalation[0])).toBe(true);
    expect(() => {
      (p.weights as { distance: number }).distance = 9;
    }).toThrow(TypeError);
    expect(isPolicy({ ...p })).toBe(false);
    expect(isPolicy(JSON.parse(JSON.stringify(p)))).toBe(false);
    expect(isPolicy(null)).toBe(false);
  });

  it('does not keep references to the input', () => {
    const waves = [{ size: 2, offsetMs: 0 }];
    const p = createPolicy({ waves });
    waves[0]!.size = 99;
    expect(p.waves[0]!.size).toBe(2);
  });
});

/** [input, path the error must name] — one row per way each field can be wrong. */
const INVALID: [string, unknown, string][] = [
  ['root not an object', 5, '(root)'],
  ['unknown top-level field (typo)', { bestFriendWaveAdvence: 2 }, 'bestFriendWaveAdvence'],
  ['unknown rating field', { rating: { priorWeight: 3 } }, 'rating.priorWeight'],
  ['unknown fairness field', { fairness: { scale: 3 } }, 'fairness.scale'],
  ['unknown responsiveness field', { responsiveness: { prior: 0.5 } }, 'responsiveness.prior'],
  ['unknown tierFit field', { tierFit: { friendOnPro: 1 } }, 'tierFit.friendOnPro'],
  ['unknown partner rule', { partners: { brack: { prosOnly: true } } }, 'partners.brack.prosOnly'],
  ['unknown wave field', { waves: [{ size: 1, offsetMs: 0, delay: 5 }] }, 'waves[0].delay'],
  ['unknown cap field', { notificationCap: { max: 3, window: 1000 } }, 'notificationCap.window'],
  [
    'unknown escalation field',
    { escalation: [{ action: 'broadcast', afterMs: 0, after: 5 }] },
    'escalation[0].after',
  ],
  ['root an array', [], '(root)'],
  ['weights not an object', { weights: 3 }, 'weights'],
  ['unknown weight', { weights: { speed: 1 } }, 'weights.speed'],
  ['negative weight', { weights: { distance: -0.1 } }, 'weights.distance'],
  ['NaN weight', { weights: { rating: Number.NaN } }, 'weights.rating'],
  ['infinite weight', { weights: { fairness: Number.POSITIVE_INFINITY } }, 'weights.fairness'],
  ['string weight', { weights: { tierFit: '1' } }, 'weights.tierFit'],
  ['huge weight', { weights: { bestFriend: 1e9 } }, 'weights.bestFriend'],
  ['denormal weight', { weights: { distance: 0, fairness: 5e-324 } }, 'weights.fairness'],
  ['tiny weight', { weights: { rating: 1e-7 } }, 'weights.rating'],
  [
    'all weights 0',
    { weights: { distance: 0, tierFit: 0, rating: 0, bestFriend: 0, fairness: 0, responsiveness: 0 } },
    'weights',
  ],
  ['rating prior < 1', { rating: { prior: 0.5 } }, 'rating.prior'],
  ['rating prior > 5', { rating: { prior: 5.5 } }, 'rating.prior'],
  ['negative prior count', { rating: { priorCount: -1 } }, 'rating.priorCount'],
  ['rating not an object', { rating: 'x' }, 'rating'],
  ['offersScale 0', { fairness: { offersScale: 0 } }, 'fairness.offersScale'],
  ['offersScale denormal', { fairness: { offersScale: 5e-324 } }, 'fairness.offersScale'],
  ['awardsScale negative', { fairness: { awardsScale: -4 } }, 'fairness.awardsScale'],
  ['acceptRatePrior > 1', { responsiveness: { acceptRatePrior: 1.5 } }, 'responsiveness.acceptRatePrior'],
  ['responseScaleMs 0', { responsiveness: { responseScaleMs: 0 } }, 'responsiveness.responseScaleMs'],
  [
    'responseScaleMs below 1 ms',
    { responsiveness: { responseScaleMs: 1e-300 } },
    'responsiveness.responseScaleMs',
  ],
  ['responseMsPrior negative', { responsiveness: { responseMsPrior: -1 } }, 'responsiveness.responseMsPrior'],
  ['tierFit > 1', { tierFit: { proOnAny: 1.2 } }, 'tierFit.proOnAny'],
  ['tierFit negative', { tierFit: { proOnFriend: -0.5 } }, 'tierFit.proOnFriend'],
  ['tierFit NaN', { tierFit: { friendOnAny: Number.NaN } }, 'tierFit.friendOnAny'],
  ['allowPros not boolean', { allowProsOnFriendJobs: 'yes' }, 'allowProsOnFriendJobs'],
  ['partners not an object', { partners: [] }, 'partners'],
  ['partner rules not an object', { partners: { brack: true } }, 'partners.brack'],
  ['partner proOnly not boolean', { partners: { brack: { proOnly: 1 } } }, 'partners.brack.proOnly'],
  [
    'partner requireCertification not boolean',
    { partners: { swisscom: { requireCertification: 'true' } } },
    'partners.swisscom.requireCertification',
  ],
  [
    'partner allowProsOnFriendJobs not boolean',
    { partners: { sunrise: { allowProsOnFriendJobs: null } } },
    'partners.sunrise.allowProsOnFriendJobs',
  ],
  ['waves empty', { waves: [] }, 'waves'],
  ['waves not an array', { waves: { size: 1 } }, 'waves'],
  ['wave not an object', { waves: [7] }, 'waves[0]'],
  ['wave size 0', { waves: [{ size: 0, offsetMs: 0 }] }, 'waves[0].size'],
  ['wave size fractional', { waves: [{ size: 2.5, offsetMs: 0 }] }, 'waves[0].size'],
  ['wave size missing', { waves: [{ offsetMs: 0 }] }, 'waves[0].size'],
  ['wave offset missing', { waves: [{ size: 1 }] }, 'waves[0].offsetMs'],
  ['wave offset negative', { waves: [{ size: 1, offsetMs: -1 }] }, 'waves[0].offsetMs'],
  [
    'wave offsets not increasing',
    {
      waves: [
        { size: 1, offsetMs: 0 },
        { size: 1, offsetMs: 0 },
      ],
    },
    'waves[1].offsetMs',
  ],
  ['maxNotifiedPerJob 0', { maxNotifiedPerJob: 0 }, 'maxNotifiedPerJob'],
  ['maxNotifiedPerJob fractional', { maxNotifiedPerJob: 40.5 }, 'maxNotifiedPerJob'],
  ['maxNotifiedPerJob below the waves', { maxNotifiedPerJob: 20 }, 'maxNotifiedPerJob'],
  ['bestFriendWaveAdvance negative', { bestFriendWaveAdvance: -1 }, 'bestFriendWaveAdvance'],
  ['bestFriendWaveAdvance fractional', { bestFriendWaveAdvance: 0.5 }, 'bestFriendWaveAdvance'],
  ['notificationCap not an object', { notificationCap: 3 }, 'notificationCap'],
  ['notificationCap max 0', { notificationCap: { max: 0, windowMs: 1000 } }, 'notificationCap.max'],
  ['notificationCap max > history', { notificationCap: { max: 65, windowMs: 1000 } }, 'notificationCap.max'],
  ['notificationCap window 0', { notificationCap: { max: 1, windowMs: 0 } }, 'notificationCap.windowMs'],
  ['offerTtlMs 0', { offerTtlMs: 0 }, 'offerTtlMs'],
  ['offerTtlMs NaN', { offerTtlMs: Number.NaN }, 'offerTtlMs'],
  ['reofferDeclined not boolean', { reofferDeclined: 0 }, 'reofferDeclined'],
  ['escalation not an array', { escalation: {} }, 'escalation'],
  ['escalation step not an object', { escalation: [null] }, 'escalation[0]'],
  ['escalation unknown action', { escalation: [{ action: 'panic', afterMs: 0 }] }, 'escalation[0].action'],
  ['escalation afterMs missing', { escalation: [{ action: 'broadcast' }] }, 'escalation[0].afterMs'],
  [
    'escalation afterMs negative',
    { escalation: [{ action: 'broadcast', afterMs: -5 }] },
    'escalation[0].afterMs',
  ],
  [
    'escalation out of order',
    {
      escalation: [
        { action: 'broadcast', afterMs: 10 },
        { action: 'allowPros', afterMs: 5 },
      ],
    },
    'escalation[1].afterMs',
  ],
  ['deeper without size', { escalation: [{ action: 'deeper', afterMs: 0 }] }, 'escalation[0].size'],
  ['deeper size 0', { escalation: [{ action: 'deeper', afterMs: 0, size: 0 }] }, 'escalation[0].size'],
  ['widen without radius', { escalation: [{ action: 'widen', afterMs: 0 }] }, 'escalation[0].radiusKm'],
  [
    'widen radius 0',
    { escalation: [{ action: 'widen', afterMs: 0, radiusKm: 0 }] },
    'escalation[0].radiusKm',
  ],
  [
    'widen radius absurd',
    { escalation: [{ action: 'widen', afterMs: 0, radiusKm: 5000 }] },
    'escalation[0].radiusKm',
  ],
  [
    'negative bonus',
    { escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: -100, currency: 'CHF' } }] },
    'escalation[0].bonus.amount',
  ],
  [
    'fractional bonus (major units)',
    { escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: 4.5, currency: 'CHF' } }] },
    'escalation[0].bonus.amount',
  ],
  [
    'unknown currency',
    { escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: 100, currency: 'XYZ' } }] },
    'escalation[0].bonus.currency',
  ],
  [
    'lower-case currency',
    { escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: 100, currency: 'chf' } }] },
    'escalation[0].bonus.currency',
  ],
  [
    'bonus with an unknown field',
    { escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: 100, currency: 'CHF', tax: 1 } }] },
    'escalation[0].bonus.tax',
  ],
  [
    'two currencies in one ladder',
    {
      escalation: [
        { action: 'deeper', afterMs: 0, size: 2, bonus: { amount: 100, currency: 'CHF' } },
        { action: 'broadcast', afterMs: 10, bonus: { amount: 100, currency: 'EUR' } },
      ],
    },
    'escalation[1].bonus.currency',
  ],
  ['negative cap', { maxBonusPerJob: { amount: -1, currency: 'CHF' } }, 'maxBonusPerJob.amount'],
  [
    'cap in another currency',
    {
      escalation: [{ action: 'broadcast', afterMs: 0, bonus: { amount: 100, currency: 'CHF' } }],
      maxBonusPerJob: { amount: 1000, currency: 'EUR' },
    },
    'maxBonusPerJob.currency',
  ],
  ['deadline 0', { deadlineMs: 0 }, 'deadlineMs'],
  ['deadline before the last wave', { deadlineMs: 30_000 }, 'deadlineMs'],
];

describe('invalid values', () => {
  it.each(INVALID)('%s → InvalidPolicyError at %s', (_name, input, path) => {
    let error: unknown;
    try {
      createPolicy(input as PolicyInput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPolicyError);
    const e = error as InvalidPolicyError;
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.path).toBe(path);
    // The message names the field and says what to do.
    if (path !== '(root)') expect(e.message).toContain(path);
    expect(e.message).toMatch(/pass|use|give|make|raise|order|set|leave|call/);
  });

  it('every field of PolicyInput has at least one invalid case above', () => {
    const fields = new Set(INVALID.map(([, , path]) => path.split(/[.[]/)[0]));
    for (const f of [
      'weights',
      'rating',
      'fairness',
      'responsiveness',
      'tierFit',
      'allowProsOnFriendJobs',
      'partners',
      'waves',
      'maxNotifiedPerJob',
      'bestFriendWaveAdvance',
      'notificationCap',
      'offerTtlMs',
      'reofferDeclined',
      'escalation',
      'deadlineMs',
      'maxBonusPerJob',
    ]) {
      expect(fields.has(f), f).toBe(true);
    }
  });
});
