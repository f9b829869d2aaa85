/**
 * Policy files: `{ name, description?, policy }` where `policy` is a `createPolicy` input, and the
 * named presets shipped in `policies/`. The policy itself is validated by `createPolicy`, whose
 * errors name the bad field.
 */

import { createPolicy, InvalidPolicyError, type PolicyInput } from 'crowd-dispatch';
import * as v from 'valibot';
import bestFriendBoost from '../../policies/best-friend-boost.json' with { type: 'json' };
import bonusLadder from '../../policies/bonus-ladder.json' with { type: 'json' };
import fairAwards from '../../policies/fair-awards.json' with { type: 'json' };
import fairnessAware from '../../policies/fairness-aware.json' with { type: 'json' };
import rankedWaves from '../../policies/ranked-waves.json' with { type: 'json' };
import today from '../../policies/today.json' with { type: 'json' };

/** A named policy, as stored in a policy file. */
export interface PolicyFile {
  /** The policy's name: letters, digits, dots, dashes or underscores. */
  name: string;
  /** What the policy is for; absent = none. */
  description?: string;
  /** The `createPolicy` input. */
  policy: PolicyInput;
}

const PolicyFileSchema = v.object({
  name: v.pipe(v.string(), v.regex(/^[\w.-]+$/, 'use letters, digits, dots, dashes or underscores')),
  description: v.optional(v.string()),
  policy: v.record(v.string(), v.unknown()),
});

/**
 * Validates a policy file (its shape here, its policy by `createPolicy`). Throws
 * {@link InvalidPolicyError} naming the field.
 * @example
 * const file = parsePolicyFile(JSON.parse(readFileSync('policies/fair-best.json', 'utf8')));
 * runSimulation({ days: 1 }, file.policy, { policyName: file.name });
 */
export function parsePolicyFile(input: unknown): PolicyFile {
  const r = v.safeParse(PolicyFileSchema, input);
  if (!r.success) {
    const issue = r.issues[0];
    const path = (issue.path ?? []).map((p) => String(p.key)).join('.') || '(root)';
    throw new InvalidPolicyError(
      `Invalid policy file: ${path}: ${issue.message}. A policy file is { "name": "…", "description": "…", "policy": { …createPolicy input… } }.`,
      path,
    );
  }
  createPolicy(r.output.policy as PolicyInput); // throws with the bad field's path
  const out: PolicyFile = { name: r.output.name, policy: r.output.policy as PolicyInput };
  if (r.output.description !== undefined) out.description = r.output.description;
  return out;
}

/** The shipped presets, by name: `today`, `ranked-waves`, `best-friend-boost`, `fairness-aware`, `fair-awards`, `bonus-ladder`. */
export const PRESETS: Readonly<Record<string, PolicyFile>> = Object.freeze(
  Object.fromEntries(
    [today, rankedWaves, bestFriendBoost, fairnessAware, fairAwards, bonusLadder].map((p) => {
      const f = parsePolicyFile(p);
      return [f.name, f];
    }),
  ),
);

/**
 * A preset by name; throws {@link InvalidPolicyError} listing the presets when unknown.
 * @example
 * runSimulation({ days: 1 }, preset('fairness-aware').policy, { policyName: 'fairness-aware' });
 * preset('fastest'); // throws InvalidPolicyError: "Unknown policy preset 'fastest'; use one of today, ranked-waves, …"
 */
export function preset(name: string): PolicyFile {
  const p = PRESETS[name];
  if (!p) {
    throw new InvalidPolicyError(
      `Unknown policy preset '${name}'; use one of ${Object.keys(PRESETS).join(', ')} or pass a policy file.`,
    );
  }
  return p;
}
