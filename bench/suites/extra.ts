/**
 * Suites that depend on modules other parts of the project provide (the dispatcher, the
 * simulator). Each is added only once its module exists, so the harness runs on any checkout.
 */
import type { SuiteDef } from './common.js';

/** The suites whose code is present in this checkout. */
export async function extraSuites(): Promise<SuiteDef[]> {
  return [];
}
