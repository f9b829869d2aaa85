import { MemoryStore } from '../src/store/memory.js';
import { fcSeed } from './helpers/seed.js';
import { storeContract } from './helpers/storeContract.js';

storeContract('MemoryStore', { make: async () => new MemoryStore() }, fcSeed('store.memory.test.ts'));
