// Packs both packages (after `npm run build`), installs each tarball into an empty project and reports
// the installed size; fails when the library is not dependency-free or its install exceeds 1 MB.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIMIT = 1024 * 1024;
const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'crowd-dispatch-size-'));
const npm = (args, cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const pack = (dir) =>
  join(work, JSON.parse(npm(['pack', '--json', '--pack-destination', work], join(root, dir)))[0].filename);

function du(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + du(join(path, name)), 0);
}

function install(tarballs) {
  const dir = mkdtempSync(join(work, 'app-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"app","private":true}');
  npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], dir);
  const modules = join(dir, 'node_modules');
  const count = readdirSync(modules)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)) : [n])).length;
  return { bytes: du(modules), packages: count };
}

try {
  const core = pack('packages/crowd-dispatch');
  const sim = pack('packages/crowd-dispatch-sim');
  const deps = JSON.parse(
    readFileSync(join(root, 'packages/crowd-dispatch/package.json'), 'utf8'),
  ).dependencies;
  const a = install([core]);
  const b = install([core, sim]);
  const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
  console.log(`crowd-dispatch: ${mb(a.bytes)} installed, ${a.packages} package(s)`);
  console.log(`crowd-dispatch-sim (with crowd-dispatch): ${mb(b.bytes)} installed, ${b.packages} packages`);
  if (deps && Object.keys(deps).length > 0)
    throw new Error(`crowd-dispatch has runtime dependencies: ${Object.keys(deps).join(', ')}`);
  if (a.bytes > LIMIT) throw new Error(`crowd-dispatch installs ${mb(a.bytes)}, over the 1 MB budget`);
} catch (error) {
  console.error(`package-size: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
