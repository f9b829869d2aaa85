/**
 * Imports point one way (docs/architecture.md): a module of src/ imports from its own folder and
 * the folders below it only, and the simulator side reaches the library through the package name
 * alone (one copy of it at run time). Read from the source text of every module.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Lower first; the library folders, then the simulator package's. */
const LAYERS = ['shared', 'fleet', 'plan', 'dispatch', 'store', 'postgres', 'index', 'sim', 'report', 'cli'];
const LIBRARY = new Set(['shared', 'fleet', 'plan', 'dispatch', 'store', 'postgres', 'index']);

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `shared`, `fleet`, …, `index` (src/index.ts) or `cli` (src/cli.ts and src/cli/). */
function layerOf(file: string): string {
  const top = relative(SRC, file).split(/[\\/]/)[0]!;
  return top.replace(/\.ts$/, '');
}

/** Every module specifier of a static import/export or a dynamic import(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]/g))
    out.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const files = modules(SRC);

describe('imports point one way', () => {
  it('finds the modules and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) expect(LAYERS, relative(SRC, f)).toContain(layerOf(f));
    // The reader sees real imports (a broken pattern would make the next tests pass vacuously).
    const plan = readFileSync(join(SRC, 'plan/plan.ts'), 'utf8');
    expect(specifiers(plan).some((s) => s.startsWith('../fleet/'))).toBe(true);
  });

  it('no module imports from a folder above its own', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(resolve(dirname(f), spec));
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
          bad.push(`${relative(SRC, f)} → ${spec} (${from} → ${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the simulator, report and CLI reach the library by its package name only', () => {
    const bad: string[] = [];
    for (const f of files) {
      if (LIBRARY.has(layerOf(f))) continue;
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(resolve(dirname(f), spec));
        if (LIBRARY.has(to)) bad.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the library imports no package but node built-ins', () => {
    const bad: string[] = [];
    for (const f of files) {
      if (!LIBRARY.has(layerOf(f)) || layerOf(f) === 'postgres') continue;
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.') && !spec.startsWith('node:')) bad.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
