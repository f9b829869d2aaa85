/**
 * The README's GitHub Actions snippet must fail the job on a regression: its instruction-gate line
 * runs here as GitHub's `shell: bash` runs it (`bash --noprofile --norc -eo pipefail`), against a
 * baseline the planner cannot meet, and the step must exit non-zero with the verdict in the summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INSTRUCTION_REPORT_SCHEMA,
  INSTRUCTION_REPORT_VERSION,
  type InstructionReport,
} from '../bench/instructions.js';
import { hasValgrind } from './helpers/valgrind.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const workflow = /```yaml\n(# \.github\/workflows\/performance\.yml[\s\S]*?)```/.exec(readme)?.[1] ?? '';

function gateLine(): string {
  const line = workflow
    .split('\n')
    .map((l) => /^\s*- run: (.*bench\/baseline\.instructions\.json.*)$/.exec(l)?.[1])
    .find((l) => l !== undefined);
  if (!line) throw new Error('README: the workflow has no run step for the instruction gate');
  return line;
}

describe('README CI snippet', () => {
  it('runs its steps with pipefail and writes the summary from the gate, not through a pipe', () => {
    expect(workflow).toMatch(/defaults:\n\s+run:\n\s+shell: bash/);
    expect(gateLine()).toContain('--summary "$GITHUB_STEP_SUMMARY"');
    expect(workflow).not.toMatch(/bench:check[^\n]*\|/);
  });

  const required = process.env.CROWD_DISPATCH_REQUIRE_VALGRIND === '1';
  const available = hasValgrind();
  if (!available && !required) console.log('valgrind not installed: the README CI snippet run is skipped.');

  it.skipIf(!available && !required)(
    'fails the step on a regression and leaves the verdict in the step summary',
    { timeout: 300_000 },
    () => {
      const dir = mkdtempSync(join(os.tmpdir(), 'readme-ci-'));
      // A baseline no plan can meet: one instruction per plan.
      const impossible: InstructionReport = {
        schema: INSTRUCTION_REPORT_SCHEMA,
        version: INSTRUCTION_REPORT_VERSION,
        createdAt: '2026-01-01T00:00:00.000Z',
        injection: null,
        environment: {
          node: process.version,
          v8: process.versions.v8,
          valgrind: 'any',
          platform: process.platform,
          arch: process.arch,
        },
        results: [
          {
            suite: 'plan',
            scenario: 'ch-1500',
            method: 'crowd-dispatch',
            warmup: 64,
            calls: 64,
            opsPerCall: 1,
            instructionsPerOp: 1,
            windowInstructions: 64,
            injectedCalls: 0,
            windowCounts: [64],
          },
        ],
      };
      const baseline = join(dir, 'impossible.json');
      writeFileSync(baseline, JSON.stringify(impossible));
      const summary = join(dir, 'summary.md');
      writeFileSync(summary, '');
      const line = gateLine()
        .replace('bench/baseline.instructions.json', baseline)
        .replace('--summary', `--out ${join(dir, 'verdict.json')} --summary`);
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', line], {
        cwd: root,
        env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(1);
      expect(readFileSync(summary, 'utf8')).toMatch(/Instruction gate: FAILED[\s\S]*\*\*REGRESSED\*\*/);
    },
  );
});
