// Makes a fresh clone runnable: npm dependencies, a build, and the Debian packages a purpose needs.
// As root on Debian, missing packages are installed with apt-get; elsewhere one message says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages per purpose. `start` runs the demo; `test` runs every suite. */
export const DEBIAN_PACKAGES = {
  start: ['gunicorn', 'python3-gunicorn'],
  test: [
    'gunicorn', 'python3-gunicorn', 'chromium', 'wrk', 'python3-psutil', 'python3-flask', 'python3-django',
    'python3-gevent', 'python3-eventlet', 'python3-tornado', 'python3-uvicorn', 'python3-starlette',
    'python3-fastapi', 'python3-debugpy', 'libkrb5-dev',
  ],
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`bootstrap: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
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

function debianPackages(purpose) {
  const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
  const wanted = DEBIAN_PACKAGES[purpose];
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

export function build() {
  run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
}

export function bootstrap(purpose) {
  npmDependencies();
  debianPackages(purpose);
  build();
}

export function packageJson() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  bootstrap(process.argv[2] === 'start' ? 'start' : 'test');
}
