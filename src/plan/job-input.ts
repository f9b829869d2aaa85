/**
 * Jobs: their fields, an appointment window's shape, chosen technicians, and the copy that is
 * planned, dispatched and logged.
 */

import { describe, didYouMean, InvalidJobError } from '../shared/errors.js';
import type { Job, JobTier } from '../shared/types.js';
import {
  checkLatLon,
  checkRadius,
  checkStrings,
  isTimeZone,
  MAX_NAME,
  readFields,
  readStrings,
  where,
} from '../shared/validate.js';

const TIERS: readonly JobTier[] = ['friend', 'pro', 'any'];

/** Validates a job; throws {@link InvalidJobError} on the first problem. */
export function validateJob(job: Job): void {
  if (job === null || typeof job !== 'object') {
    throw new InvalidJobError('job must be an object with at least { id, lat, lon }.');
  }
  if (typeof job.id !== 'string' || job.id.length === 0 || job.id.length > MAX_NAME) {
    throw new InvalidJobError(
      `job id is ${describe(job.id)}; pass a non-empty string (at most ${MAX_NAME} characters).`,
      'id',
    );
  }
  const ctx = where('job', job.id);
  for (const k of Object.keys(job)) {
    if (!(JOB_FIELDS as readonly string[]).includes(k)) {
      throw new InvalidJobError(
        `${ctx}: unknown field '${k.slice(0, 60)}'.${didYouMean(k, JOB_FIELDS)} Known fields: ${JOB_FIELDS.join(', ')}.`,
        k,
      );
    }
  }
  checkLatLon(job.lat, job.lon, ctx, InvalidJobError);
  if (job.tier !== undefined && !TIERS.includes(job.tier)) {
    throw new InvalidJobError(`${ctx}: tier is ${describe(job.tier)}; use 'friend', 'pro' or 'any'.`, 'tier');
  }
  if (job.maxRadiusKm !== undefined) checkRadius(job.maxRadiusKm, 'maxRadiusKm', ctx, InvalidJobError);
  checkStrings(job.skills, 'skills', ctx, InvalidJobError);
  checkStrings(job.blocked, 'blocked', ctx, InvalidJobError);
  if (
    job.partner !== undefined &&
    (typeof job.partner !== 'string' || job.partner.length === 0 || job.partner.length > MAX_NAME)
  ) {
    throw new InvalidJobError(`${ctx}: partner must be a non-empty string (a partner id).`, 'partner');
  }
  if (job.requireCertification !== undefined && typeof job.requireCertification !== 'boolean') {
    throw new InvalidJobError(`${ctx}: requireCertification must be true or false.`, 'requireCertification');
  }
  if (job.window !== undefined) checkJobWindow(job.window, ctx);
  if (job.preferred !== undefined) checkPreferred(job.preferred, ctx);
}

/** The shape of an appointment window (its timing against the policy and `now`: `checkWindow` in appointments.ts). */
function checkJobWindow(w: Job['window'], ctx: string): void {
  const E = InvalidJobError;
  if (w === null || typeof w !== 'object') {
    throw new E(
      `${ctx}: window is ${describe(w)}; pass { start, end, timeZone } (ms and an IANA zone).`,
      'window',
    );
  }
  for (const k of Object.keys(w)) {
    if (!(WINDOW_SPAN_FIELDS as readonly string[]).includes(k)) {
      throw new E(
        `${ctx}: unknown field 'window.${k.slice(0, 60)}'.${didYouMean(k, WINDOW_SPAN_FIELDS)} Known fields: ${WINDOW_SPAN_FIELDS.join(', ')}.`,
        `window.${k}`,
      );
    }
  }
  for (const k of ['start', 'end'] as const) {
    const t = w[k];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new E(
        `${ctx}: window.${k} is ${describe(t)}; pass a time in ms (a finite number).`,
        `window.${k}`,
      );
    }
  }
  if (w.end <= w.start) {
    throw new E(
      `${ctx}: window.end (${w.end}) is not after window.start (${w.start}); pass an end later than the start.`,
      'window.end',
    );
  }
  if (!isTimeZone(w.timeZone)) {
    throw new E(
      `${ctx}: window.timeZone ${describe(w.timeZone)} is not an IANA time zone; use e.g. 'Europe/Zurich'.`,
      'window.timeZone',
    );
  }
}

function checkPreferred(p: Job['preferred'], ctx: string): void {
  const E = InvalidJobError;
  if (p === null || typeof p !== 'object') {
    throw new E(`${ctx}: preferred is ${describe(p)}; pass { technicianIds: [...], only? }.`, 'preferred');
  }
  for (const k of Object.keys(p)) {
    if (!(PREFERRED_FIELDS as readonly string[]).includes(k)) {
      throw new E(
        `${ctx}: unknown field 'preferred.${k.slice(0, 60)}'.${didYouMean(k, PREFERRED_FIELDS)} Known fields: ${PREFERRED_FIELDS.join(', ')}.`,
        `preferred.${k}`,
      );
    }
  }
  const ids = p.technicianIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PREFERRED) {
    throw new E(
      `${ctx}: preferred.technicianIds is ${describe(ids)}; pass 1 to ${MAX_PREFERRED} technician ids, most preferred first.`,
      'preferred.technicianIds',
    );
  }
  checkStrings(ids, 'preferred.technicianIds', ctx, E);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      throw new E(
        `${ctx}: preferred.technicianIds[${i}] repeats '${id}'; name each technician once.`,
        `preferred.technicianIds[${i}]`,
      );
    }
    seen.add(id);
  });
  if (p.only !== undefined && typeof p.only !== 'boolean') {
    throw new E(`${ctx}: preferred.only is ${describe(p.only)}; pass true or false.`, 'preferred.only');
  }
}

export const JOB_FIELDS = [
  'id',
  'lat',
  'lon',
  'tier',
  'skills',
  'partner',
  'requireCertification',
  'maxRadiusKm',
  'blocked',
  'window',
  'preferred',
] as const;
const WINDOW_SPAN_FIELDS = ['start', 'end', 'timeZone'] as const;
const PREFERRED_FIELDS = ['technicianIds', 'only'] as const;
/** Most chosen technicians a job may name. */
export const MAX_PREFERRED = 20;

/**
 * Copies a job to plain data (each field read once, unknown fields refused, `toJSON` ignored) and
 * validates the copy; store the copy, never the caller's object.
 * @example const stored = readJob(job);
 */
export function readJob(input: unknown): Job {
  const E = InvalidJobError;
  const f = readFields(input, JOB_FIELDS, 'job', '', E);
  const ctx = where('job', typeof f.id === 'string' ? f.id.slice(0, 100) : undefined);
  const out: Record<string, unknown> = {};
  for (const k of JOB_FIELDS) {
    const v = f[k];
    if (v === undefined) continue;
    if (k === 'skills' || k === 'blocked') out[k] = readStrings(v, k, ctx, E);
    else if (k === 'window') out[k] = { ...readFields(v, WINDOW_SPAN_FIELDS, ctx, 'window', E) };
    else if (k === 'preferred') {
      const p = readFields(v, PREFERRED_FIELDS, ctx, 'preferred', E);
      const copy: Record<string, unknown> = {
        technicianIds: readStrings(p.technicianIds, 'preferred.technicianIds', ctx, E) ?? p.technicianIds,
      };
      if (p.only !== undefined) copy.only = p.only;
      out[k] = copy;
    } else out[k] = v;
  }
  const job = out as unknown as Job;
  validateJob(job);
  return job;
}
