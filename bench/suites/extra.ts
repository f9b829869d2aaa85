/**
 * Suites over the live dispatcher and the simulator, loaded lazily so that `plan`/`fleet` runs do
 * not pay for importing them.
 */
import type { SuiteDef } from './common.js';

/** The dispatch and simulator suites. */
export async function extraSuites(): Promise<SuiteDef[]> {
  const [{ dispatchSuite }, { simulatorSuite }] = await Promise.all([
    import('./dispatch.js'),
    import('./simulator.js'),
  ]);
  return [dispatchSuite, simulatorSuite];
}
