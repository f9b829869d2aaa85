/**
 * One fast-check seed per test file: `FC_SEED` replays a failure, otherwise a fresh seed is drawn
 * and printed so any failing run can be reproduced.
 */
export function fcSeed(file: string): number {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  console.log(`fast-check seed ${seed} (${file}); replay with FC_SEED=${seed}`);
  return seed;
}
