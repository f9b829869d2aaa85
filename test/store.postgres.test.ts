import { afterAll, describe, it } from 'vitest';
import { DATABASE_URL, dropPrefix, freshStore, makePool, SKIP_REASON } from './helpers/pg.js';
import { fcSeed } from './helpers/seed.js';
import { storeContract } from './helpers/storeContract.js';

if (DATABASE_URL) {
  const pool = makePool();
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(pool, p);
    await pool.end();
  });
  storeContract(
    'PostgresStore',
    {
      make: async () => {
        const { store, prefix } = await freshStore(pool, 'contract');
        prefixes.push(prefix);
        return store;
      },
    },
    fcSeed('store.postgres.test.ts'),
  );
} else {
  describe('store contract: PostgresStore', () => {
    it.skip(SKIP_REASON, () => {});
  });
}
