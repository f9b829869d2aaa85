import { execFileSync } from 'node:child_process';

/** True when `valgrind` runs here: the instruction-gate tests need it (CI requires it). */
export function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
