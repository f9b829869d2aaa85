/**
 * The instruction gate's injected regressions: a counting bundle built with an {@link Injection}
 * makes every call of one component of the library first do `units` of extra work (`burn` in
 * `./inject-runtime.ts`). The call is written into the component's source at bundle time by an
 * esbuild plugin, so the library carries no test switch; a renamed component makes the bundle fail
 * loudly instead of injecting nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/** Where each injectable component lives and what the wrap replaces. */
export const COMPONENTS = {
  /** The fast score of one candidate. */
  scoring: { file: 'src/plan/scoring.ts', functions: ['scoreSlot'], methods: [] },
  /** The spatial index's scan: the key ranges a query walks. */
  'index-scan': { file: 'src/fleet/geo/grid.ts', functions: [], methods: ['GridIndex.prototype.ranges'] },
  /** The dispatcher's inputs. */
  dispatcher: {
    file: 'src/dispatch/dispatcher.ts',
    functions: [],
    methods: [
      'Dispatcher.prototype.open',
      'Dispatcher.prototype.advance',
      'Dispatcher.prototype.accept',
      'Dispatcher.prototype.decline',
    ],
  },
} as const satisfies Record<
  string,
  { file: string; functions: readonly string[]; methods: readonly string[] }
>;

/** A component that can take an injected regression. */
export type Component = keyof typeof COMPONENTS;

/** An injected regression: `units` iterations of extra work on every call of `component`. */
export interface Injection {
  component: Component;
  units: number;
}

/** Throws with what to pass when `value` is not a valid {@link Injection}. */
export function assertInjection(value: Injection): void {
  if (!Object.hasOwn(COMPONENTS, value.component)) {
    throw new Error(
      `unknown component '${String(value.component)}' to inject into; choose from ${Object.keys(COMPONENTS).join(', ')}.`,
    );
  }
  if (!(Number.isInteger(value.units) && value.units >= 1 && value.units <= 1e7)) {
    throw new Error(`injected units is ${value.units}; pass a whole number from 1 to 10,000,000.`);
  }
}

/**
 * Inserts `code` as the first statement of the function whose signature starts where `start`
 * matches: after its parameter list (parentheses balanced) and the first `{` that ends a line.
 * Inside the body rather than around it, so the component's own code is compiled as before and the
 * added instructions are the burn alone.
 */
function insertAtBodyStart(source: string, start: RegExp, code: string, what: string): string {
  const m = start.exec(source);
  if (!m) throw new Error(`${what} not found: update COMPONENTS in bench/inject.ts.`);
  let i = m.index + m[0].length;
  for (let depth = 1; depth > 0 && i < source.length; i++) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')') depth--;
  }
  const brace = source.indexOf('{\n', i);
  if (brace < 0) throw new Error(`${what}: no body found: update COMPONENTS in bench/inject.ts.`);
  return `${source.slice(0, brace + 2)}${code}\n${source.slice(brace + 2)}`;
}

/** The esbuild plugin that wraps the injection's component in the counting bundle. */
export function injectionPlugin(repoRoot: string, injection: Injection): Plugin {
  const spec = COMPONENTS[injection.component];
  const target = join(repoRoot, spec.file);
  const runtime = join(repoRoot, 'bench', 'inject-runtime.ts');
  return {
    name: 'crowd-dispatch-injection',
    setup(build) {
      let wrapped = false;
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path !== target) return undefined;
        let source = await readFile(args.path, 'utf8');
        const call = `__burn(${injection.units});`;
        for (const f of spec.functions) {
          source = insertAtBodyStart(
            source,
            new RegExp(`\\bfunction ${f}\\(`),
            call,
            `${spec.file}: function ${f}`,
          );
        }
        for (const m of spec.methods) {
          const [cls, , name] = m.split('.');
          const at = source.search(new RegExp(`\\bclass ${cls}\\b`));
          if (at < 0)
            throw new Error(`${spec.file} has no class ${cls}: update COMPONENTS in bench/inject.ts.`);
          source =
            source.slice(0, at) +
            insertAtBodyStart(source.slice(at), new RegExp(`\\n\\s+${name}\\(`), call, `${spec.file}: ${m}`);
        }
        wrapped = true;
        return {
          contents: `import { burn as __burn } from ${JSON.stringify(runtime)};\n${source}`,
          loader: 'ts',
        };
      });
      build.onEnd((result) => {
        if (result.errors.length === 0 && !wrapped) {
          throw new Error(`the counting bundle does not include ${spec.file}, so nothing was injected.`);
        }
      });
    },
  };
}

/**
 * The injection switch of `bench:check` and `bench:instructions`:
 * `CROWD_DISPATCH_BENCH_INJECT=scoring:400` (component, then units). Unset: none.
 */
export function injectionFromEnv(): Injection | null {
  const raw = process.env.CROWD_DISPATCH_BENCH_INJECT;
  if (raw === undefined || raw === '') return null;
  const [component, units] = raw.split(':');
  const injection = { component: component as Component, units: Number(units) };
  try {
    assertInjection(injection);
  } catch (e) {
    throw new Error(`CROWD_DISPATCH_BENCH_INJECT is '${raw}': ${(e as Error).message} Example: scoring:400.`);
  }
  return injection;
}

/** How an injection reads in a table title. */
export const injectionLabel = (i: Injection | null): string =>
  i ? `INJECTED REGRESSION: ${i.units} units per call of ${i.component}` : '';
