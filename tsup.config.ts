import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const CORE = 'packages/crowd-dispatch/dist';
const SIM = 'packages/crowd-dispatch-sim/dist';
// The sim package's dependencies (the library among them) stay imports, resolved at run time.
const simDeps = Object.keys(
  (JSON.parse(readFileSync('packages/crowd-dispatch-sim/package.json', 'utf8')) as { dependencies: object })
    .dependencies,
);
const common = { sourcemap: false, target: 'node20', platform: 'node', treeshake: true } as const;

export default defineConfig([
  // crowd-dispatch: the matcher and dispatcher, no runtime dependencies; no source maps, to keep the
  // install within its 1 MB budget (the simulator package ships its maps).
  {
    ...common,
    entry: { index: 'src/index.ts' },
    outDir: CORE,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
  },
  // Its PostgreSQL store: an entry of its own so that importing the core never loads pg (an optional peer).
  {
    ...common,
    entry: { postgres: 'src/postgres/index.ts' },
    outDir: CORE,
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    external: ['pg'],
  },
  // crowd-dispatch-sim: the simulator. It imports the library by name, so it never bundles a copy.
  {
    ...common,
    entry: { index: 'src/sim/index.ts' },
    outDir: SIM,
    sourcemap: true,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    external: simDeps,
  },
  // The CLI (the package's bin imports it) and the sweep's worker-thread entry: ESM only.
  {
    ...common,
    entry: { cli: 'src/cli.ts', sweepWorker: 'src/sim/sweepWorker.ts' },
    outDir: SIM,
    sourcemap: true,
    format: ['esm'],
    dts: false,
    clean: false,
    external: simDeps,
  },
]);
