// Makes a fresh clone runnable: npm dependencies, a build, and the Debian packages a purpose needs.
// As root on Debian, missing packages are installed with apt-get; elsewhere one message says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from './cacheRoot.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const GUNICORN = ['gunicorn', 'python3-gunicorn'];

/** Debian packages per purpose: `start` runs the demo; each test suite of scripts/test.mjs needs its own. */
export const DEBIAN_PACKAGES = {
  start: GUNICORN,
  typecheck: [],
  // ruff's venv: Debian's python3 makes one only with python3-venv.
  lint: ['python3-venv'],
  unit: [],
  // Worker classes and frameworks the agent is tested under; psutil is its fallback away from /proc.
  agent: [
    ...GUNICORN, 'python3-psutil', 'python3-flask', 'python3-django', 'python3-gevent', 'python3-eventlet',
    'python3-tornado', 'python3-uvicorn', 'python3-starlette', 'python3-fastapi',
  ],
  // Debian's Gunicorn 20.1.0 in a venv over its site-packages; newer releases come from the package index
  // with pip (venvs for the other CPythons are made when pyenv or pythonX.Y has them).
  compat: [...GUNICORN, 'python3-venv', 'python3-pip'],
  integration: GUNICORN,
  browser: [...GUNICORN, 'chromium'],
  // code-server in Chromium; its install compiles a kerberos module (libkrb5-dev); the launch tests run
  // Flask, Django and FastAPI apps, and one under debugpy.
  vscode: [
    ...GUNICORN, 'chromium', 'libkrb5-dev', 'python3-flask', 'python3-django', 'python3-fastapi',
    'python3-uvicorn', 'python3-debugpy',
  ],
};
export const TEST_SUITES = ['typecheck', 'lint', 'unit', 'agent', 'compat', 'integration', 'browser', 'vscode'];

/** What `start` needs, or `test` for the suites named (none named: every suite), each package once. */
export function debianPackagesFor(purpose, suites = []) {
  if (purpose !== 'test') return DEBIAN_PACKAGES[purpose] ?? [];
  const run = suites.length === 0 ? TEST_SUITES : suites.filter((s) => TEST_SUITES.includes(s));
  return [...new Set(run.flatMap((s) => DEBIAN_PACKAGES[s]))];
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`bootstrap: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  // Each install step says what it cost, so a fresh machine's run shows where its time went.
  if (cmd !== process.execPath) {
    const what = [basename(cmd), ...args.slice(0, args[0]?.startsWith('-') ? 2 : 1)].join(' ');
    console.log(`bootstrap: \`${what}\` took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

function npmDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('bootstrap: installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function missingDebianPackages(names) {
  return names.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/** Installs (as root) or names (otherwise, then exits 1) the Debian packages missing for a purpose. */
export function debianPackages(purpose, suites = []) {
  const wanted = debianPackagesFor(purpose, suites);
  if (wanted.length === 0) return;
  const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
  if (!hasDpkg) {
    console.log(`bootstrap: not a Debian system; make sure these (or your system's equivalents) are installed: ${wanted.join(' ')}`);
    return;
  }
  const missing = missingDebianPackages(wanted);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`bootstrap: missing Debian packages. Install them with:\n  sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`bootstrap: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/** ruff, the Python linter, pinned: a new release may add findings to a rule set. */
export const RUFF_VERSION = '0.17.5';

/** Path of the pinned ruff, installed from PyPI into a venv in the test cache when missing. */
export function ruff() {
  const dir = join(cacheRoot(), `ruff-${RUFF_VERSION}`);
  const bin = join(dir, 'bin', 'ruff');
  if (existsSync(bin)) return bin;
  const python = ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import ensurepip, venv'], { stdio: 'ignore' }).status === 0);
  if (!python) {
    console.error('bootstrap: no python3 here can make a venv for ruff (on Debian: apt-get install python3-venv)');
    process.exit(1);
  }
  // Built aside and renamed, so an interrupted install is never taken for a finished one.
  const tmp = `${dir}.tmp-${process.pid}`;
  console.log(`bootstrap: installing ruff ${RUFF_VERSION} into ${dir}…`);
  mkdirSync(cacheRoot(), { recursive: true });
  run(python, ['-m', 'venv', tmp]);
  run(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `ruff==${RUFF_VERSION}`]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return bin;
}

export function build() {
  run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
}

/** `suites`: the test suites about to run; by default the ones named on the command line (`npm test -- unit`). */
export function bootstrap(purpose, suites = purpose === 'test' ? process.argv.slice(2) : []) {
  npmDependencies();
  debianPackages(purpose, suites);
  if (purpose === 'test' && (suites.length === 0 || suites.includes('lint'))) ruff();
  build();
}

export function packageJson() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

// `node scripts/bootstrap.mjs start` or `node scripts/bootstrap.mjs [test [suite…]]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [purpose, ...suites] = process.argv.slice(2);
  bootstrap(purpose === 'start' ? 'start' : 'test', suites);
}
