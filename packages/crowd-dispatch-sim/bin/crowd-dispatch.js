#!/usr/bin/env node
// The crowd-dispatch bin: the built CLI when there is one (an installed package, or a checkout after
// `npm run build`); in a source checkout before any build, the TypeScript CLI run through tsx, so that
// `npx crowd-dispatch …` works right after `npm install`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
const source = new URL('../../../src/cli.ts', import.meta.url);
if (existsSync(built)) {
  const { main, relaunchForWorkers } = await import(built.href);
  const code = relaunchForWorkers();
  if (code === undefined) await main();
  else process.exitCode = code;
} else if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
  const { main, relaunchForWorkers } = await import(source.href);
  const code = relaunchForWorkers();
  if (code === undefined) await main();
  else process.exitCode = code;
} else {
  process.stderr.write(
    'crowd-dispatch: dist/cli.js is missing from crowd-dispatch-sim; reinstall the package.\n',
  );
  process.exitCode = 1;
}
