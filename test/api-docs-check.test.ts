/** The API reference check (scripts/check-api-docs.ts) on small hand-written typedoc JSON projects. */
import { describe, expect, it } from 'vitest';
import {
  findUndocumented,
  formatFinding,
  type JsonComment,
  type JsonReflection,
  Kind,
} from '../scripts/check-api-docs.js';

const summary = (text: string): JsonComment['summary'] => [{ kind: 'text', text }];
const example: JsonComment['blockTags'] = [{ tag: '@example' }];

const fn = (name: string, comment?: JsonComment): JsonReflection => ({
  name,
  kind: Kind.Function,
  signatures: [comment === undefined ? {} : { comment }],
});

const project = (...modules: [string, JsonReflection[]][]): JsonReflection => ({
  name: 'crowd-dispatch',
  kind: Kind.Project,
  children: modules.map(([name, children]) => ({ name, kind: Kind.Module, children })),
});

describe('findUndocumented', () => {
  it('reports a function without an @example, not one with it', () => {
    const r = findUndocumented(
      project([
        'index',
        [
          fn('plan', { summary: summary('Plans a job.'), blockTags: example }),
          fn('coarsenKm', { summary: summary('Rounds a distance.'), blockTags: [{ tag: '@default' }] }),
        ],
      ]),
    );
    expect(r.findings).toEqual([
      { module: 'index', kind: 'function', name: 'coarsenKm', missing: '@example' },
    ]);
    expect(r.checked).toBe(2);
    expect(r.withExamples).toBe(2);
    expect(formatFinding(r.findings[0]!)).toBe('index: function coarsenKm (no @example)');
  });

  it("reads a function's first signature, not the others", () => {
    const overloaded: JsonReflection = {
      name: 'within',
      kind: Kind.Function,
      signatures: [{}, { comment: { summary: summary('Second overload.'), blockTags: example } }],
    };
    const r = findUndocumented(project(['index', [overloaded]]));
    expect(r.findings.map((f) => f.missing)).toEqual(['summary', '@example']);
  });

  it('skips re-exports (kind Reference)', () => {
    const r = findUndocumented(
      project(['index', [{ name: 'describeValue', kind: Kind.Reference }, fn('undocumented')]], ['sim', []]),
    );
    expect(r.findings.map(formatFinding)).toEqual([
      'index: function undocumented (no summary)',
      'index: function undocumented (no @example)',
    ]);
    expect(r.checked).toBe(1);
  });

  it('reports a class without a summary (and without an @example), by module', () => {
    const r = findUndocumented(
      project(
        [
          'index',
          [
            {
              name: 'Fleet',
              kind: Kind.Class,
              comment: { summary: summary('A fleet.'), blockTags: example },
            },
          ],
        ],
        ['sim', [{ name: 'Environment', kind: Kind.Class, comment: { summary: summary('   ') } }]],
      ),
    );
    expect(r.findings.map(formatFinding)).toEqual([
      'sim: class Environment (no summary)',
      'sim: class Environment (no @example)',
    ]);
  });

  it('asks variables, interfaces and type aliases for a summary only', () => {
    const r = findUndocumented(
      project([
        'index',
        [
          { name: 'FACTORS', kind: Kind.Variable, comment: { summary: summary('Score factors.') } },
          { name: 'Job', kind: Kind.Interface },
          { name: 'Tier', kind: Kind.TypeAlias, comment: { summary: summary("'friend' or 'pro'.") } },
          { name: 'Coord', kind: 8 }, // an enum: not checked
        ],
      ]),
    );
    expect(r.findings.map(formatFinding)).toEqual(['index: interface Job (no summary)']);
    expect(r.checked).toBe(3);
    expect(r.withExamples).toBe(0);
  });

  it('reads a project of one entry point, whose exports are its own children', () => {
    const single: JsonReflection = { name: 'crowd-dispatch', kind: Kind.Project, children: [fn('plan')] };
    expect(findUndocumented(single).findings.map(formatFinding)).toEqual([
      'crowd-dispatch: function plan (no summary)',
      'crowd-dispatch: function plan (no @example)',
    ]);
  });
});
