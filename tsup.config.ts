import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', sim: 'src/sim/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
  },
  // The PostgreSQL store: its own entry so that importing the core never loads pg (an optional peer).
  {
    entry: { postgres: 'src/postgres/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    treeshake: true,
    external: ['pg'],
  },
  // The CLI (bin) and the sweep's worker-thread entry: ESM only, never imported by the library.
  {
    entry: { cli: 'src/cli.ts', sweepWorker: 'src/sim/sweepWorker.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    treeshake: true,
  },
]);
