/**
 * Checks the API reference (`npm run docs`): every top-level exported function, class, variable,
 * interface and type alias of the typedoc JSON output has a summary, and every function and class
 * has an `@example` (for a function, on its first signature). Re-exports are skipped: the entry
 * they point at is checked where it is declared.
 *
 * Usage: `tsx scripts/check-api-docs.ts [docs/api/api.json]`; exits 1 listing `module: kind name`
 * of each entry that lacks one, else prints one line with the counts.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of typedoc's comment JSON the check reads. */
export interface JsonComment {
  summary?: readonly { kind: string; text: string }[];
  blockTags?: readonly { tag: string }[];
}

/** The part of typedoc's reflection JSON the check reads. */
export interface JsonReflection {
  name: string;
  kind: number;
  comment?: JsonComment;
  signatures?: readonly { comment?: JsonComment }[];
  children?: readonly JsonReflection[];
}

/** typedoc's `ReflectionKind` values the check uses (stable in the JSON schema). */
export const Kind = {
  Project: 1,
  Module: 2,
  Variable: 32,
  Function: 64,
  Class: 128,
  Interface: 256,
  TypeAlias: 2097152,
  Reference: 4194304,
} as const;

const KIND_NAMES: Record<number, string> = {
  [Kind.Variable]: 'variable',
  [Kind.Function]: 'function',
  [Kind.Class]: 'class',
  [Kind.Interface]: 'interface',
  [Kind.TypeAlias]: 'type alias',
};

/** One undocumented entry: what it lacks. */
export interface Finding {
  module: string;
  kind: string;
  name: string;
  missing: 'summary' | '@example';
}

/** The result of a check: the findings, and how many entries were checked. */
export interface CheckResult {
  findings: Finding[];
  /** Entries checked for a summary (functions, classes, variables, interfaces, type aliases). */
  checked: number;
  /** Of those, the functions and classes, also checked for an `@example`. */
  withExamples: number;
}

function hasSummary(comment: JsonComment | undefined): boolean {
  return (comment?.summary ?? []).some((part) => part.text.trim() !== '');
}

function hasExample(comment: JsonComment | undefined): boolean {
  return (comment?.blockTags ?? []).some((tag) => tag.tag === '@example');
}

/** The comment that documents an entry: a function's first signature's, else the entry's own. */
function commentOf(r: JsonReflection): JsonComment | undefined {
  return r.kind === Kind.Function ? (r.signatures?.[0]?.comment ?? r.comment) : r.comment;
}

/**
 * The top-level exports of a typedoc JSON project (each module's children; a project of one entry
 * point has its exports as its own children) that lack a summary or, for functions and classes,
 * an `@example` block tag. Re-exports (kind Reference) and kinds other than the five checked are skipped.
 * @example
 * const project = JSON.parse(readFileSync('docs/api/api.json', 'utf8')) as JsonReflection;
 * for (const f of findUndocumented(project).findings) console.log(formatFinding(f)); // index: function plan (no @example)
 */
export function findUndocumented(project: JsonReflection): CheckResult {
  const children = project.children ?? [];
  const modules = children.some((c) => c.kind === Kind.Module)
    ? children.filter((c) => c.kind === Kind.Module)
    : [project];
  const result: CheckResult = { findings: [], checked: 0, withExamples: 0 };
  for (const mod of modules) {
    for (const r of mod.children ?? []) {
      const kind = KIND_NAMES[r.kind];
      if (kind === undefined) continue; // references, namespaces, enums
      result.checked++;
      const comment = commentOf(r);
      const entry = { module: mod.name, kind, name: r.name };
      if (!hasSummary(comment)) result.findings.push({ ...entry, missing: 'summary' });
      if (r.kind === Kind.Function || r.kind === Kind.Class) {
        result.withExamples++;
        if (!hasExample(comment)) result.findings.push({ ...entry, missing: '@example' });
      }
    }
  }
  return result;
}

/** `module: kind name (no summary)`, as the check prints a finding. */
export function formatFinding(f: Finding): string {
  return `${f.module}: ${f.kind} ${f.name} (no ${f.missing})`;
}

function main(path: string): number {
  let project: JsonReflection;
  try {
    project = JSON.parse(readFileSync(path, 'utf8')) as JsonReflection;
  } catch (e) {
    console.error(`${path}: cannot read typedoc's JSON output (${(e as Error).message}); run typedoc first.`);
    return 1;
  }
  const { findings, checked, withExamples } = findUndocumented(project);
  if (findings.length > 0) {
    console.error(
      `${path}: ${findings.length} missing (a summary on every export, an @example on every function and class):`,
    );
    for (const f of findings) console.error(`  ${formatFinding(f)}`);
    return 1;
  }
  console.log(
    `API docs OK: ${checked} exports have a summary, ${withExamples} functions and classes an @example (${path})`,
  );
  return 0;
}

/** Whether this file is the program being run (not a module imported by a test). */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = main(process.argv[2] ?? 'docs/api/api.json');
}
