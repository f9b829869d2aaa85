/**
 * The command line's file system side: reading input files and writing outputs, every failure a
 * typed error that names the file and what to do. Not part of the `crowd-dispatch-sim` entry.
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'crowd-dispatch';

/** Reads a text file; a missing or unreadable file is an {@link InvalidArgumentError}. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`Cannot read the ${what} file '${path}': ${(e as Error).message}.`);
  }
}

/** Reads and parses a JSON file. */
export function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`The ${what} file '${path}' is not valid JSON: ${(e as Error).message}.`);
  }
}

export function write(path: string, text: string, io: { quiet: boolean }): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InvalidArgumentError(`Cannot write '${path}': ${(e as Error).message}; choose another --out.`);
  }
  if (!io.quiet) process.stderr.write(`wrote ${path}\n`);
}

/**
 * Creates the output directory and proves it is writable before any work starts, so a bad `--out`
 * fails in a second with a message instead of after an hour of simulation.
 */
export function prepareOut(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'the path or a part of it is a file, not a directory'
        : (e as Error).message;
    throw new InvalidArgumentError(
      `--out '${dir}': cannot create the directory (${why}); choose another --out.`,
      'out',
    );
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {}
  if (!isDir)
    throw new InvalidArgumentError(`--out '${dir}' is not a directory; choose another --out.`, 'out');
  const probe = join(dir, `.crowd-dispatch-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new InvalidArgumentError(
      `--out '${dir}' is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another --out.`,
      'out',
    );
  }
}
