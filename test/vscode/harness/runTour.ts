// `npm run tour`: the README's screenshot tour of a first launch on a Flask project, re-run in one command.
// Builds and packages the extension, starts code-server (dark default theme) on a fresh copy of
// test/vscode/tour-workspace with its own virtualenv (Debian's Python with its system packages: Flask and
// Gunicorn) and runs test/vscode/ui/tour.ui.ts, which writes media/tour/*.png. `npm run tour -- --out DIR` writes elsewhere (e.g. test-output/tour to compare).
// Not part of `npm test`: it rewrites tracked images, and its checks repeat the UI tests' (launch, dashboard,
// profile, timeout stack) at the cost of another code-server window and ~1.5 min.
// User settings it adds: the theme, `gunicornLive.bind` on a free port (the machine's 8000 may be taken by
// anything) and `gunicornLive.defaultTimeout` 10, so step 5's timeout comes after 10 s, not 30. No
// interpreter setting: the launch finds the project's .venv itself.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runTour } from '../ui/tour.ui';
import { launchBrowser } from './browser';
import { ROOT } from './bundleTests';
import { killProcessesIn, startCodeServer } from './codeServer';
import { ensureToolchain } from './install';
import { packageVsix } from './vsix';
import { freePort } from './workspace';

const OUT_ARG = process.argv.indexOf('--out');
const OUT_DIR = resolve(OUT_ARG > 0 ? process.argv[OUT_ARG + 1] : join(ROOT, 'media', 'tour'));
const WORK = join(ROOT, 'test-output', 'tour');
const FAILED = join(WORK, 'tour-failed.png');
/** Where a run writes first: the images land in OUT_DIR only when every step passed, all six together. */
const STAGING = join(WORK, 'staging');
const SOURCE = join(ROOT, 'test', 'vscode', 'tour-workspace');
/** README images stay small: a PNG above this is reported. */
const MAX_PNG_BYTES = 250 * 1024;
const RUN_TIMEOUT_MS = 10 * 60_000;

const cleanups: Array<() => Promise<void>> = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}
const say = (line: string) => console.log(line);

/** The user's project: app.py, requirements.txt and a .venv, in a folder named like a project ("shop"). */
function prepareProject(): string {
  const parent = mkdtempSync(join(tmpdir(), 'gunicorn-live-tour-'));
  const dir = join(parent, 'shop');
  cpSync(SOURCE, dir, { recursive: true });
  const venv = spawnSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', '--system-site-packages', join(dir, '.venv')], { encoding: 'utf8' });
  if (venv.status !== 0) throw new Error(`python3 -m venv failed: ${venv.stderr.trim()}`);
  const check = spawnSync(join(dir, '.venv', 'bin', 'python'), ['-c', 'import flask, gunicorn'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`the tour's venv cannot import flask and gunicorn: ${check.stderr.trim().split('\n').pop()} (sudo apt-get install python3-flask python3-gunicorn)`);
  cleanups.push(async () => {
    killProcessesIn(dir);
    rmSync(parent, { recursive: true, force: true });
  });
  return dir;
}

async function main(): Promise<void> {
  rmSync(STAGING, { recursive: true, force: true });
  rmSync(FAILED, { force: true });
  mkdirSync(STAGING, { recursive: true });
  const toolchain = ensureToolchain(say);
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const vsix = packageVsix(join(WORK, 'gunicorn-live.vsix'));
  const project = prepareProject();
  const appPort = await freePort();
  const server = await startCodeServer({
    toolchain, workspace: project, vsixes: [vsix], logFile: join(WORK, 'code-server.log'), keepLogsIn: join(WORK, 'extension-logs'),
    userSettings: {
      'workbench.colorTheme': 'Default Dark Modern',
      'gunicornLive.bind': `127.0.0.1:${appPort}`,
      'gunicornLive.defaultTimeout': 10,
    },
  });
  cleanups.push(() => server.stop());
  say(`code-server ${server.url}, project ${project}, app port ${appPort}`);
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const started = Date.now();
  const written = await runTour({ browser, url: server.url, workspace: project, appPort, outDir: STAGING, failedScreenshot: FAILED, log: say });
  say(`tour done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const sizes = written.map((f) => ({ file: f, kB: Math.round(statSync(f).size / 1024) }));
  say(JSON.stringify({ screenshots: sizes }));
  const big = sizes.filter((s) => s.kB * 1024 > MAX_PNG_BYTES);
  if (big.length > 0) throw new Error(`over ${MAX_PNG_BYTES / 1024} kB: ${big.map((b) => `${b.file} (${b.kB} kB)`).join(', ')}`);
  mkdirSync(OUT_DIR, { recursive: true });
  for (const f of written) copyFileSync(f, join(OUT_DIR, basename(f)));
}

function abort(why: string): void {
  say(`FAIL tour: ${why}`);
  void Promise.race([cleanUp(), new Promise((r) => setTimeout(r, 15_000))]).then(() => process.exit(1));
}
const watchdog = setTimeout(() => abort(`exceeded ${RUN_TIMEOUT_MS / 60000} min`), RUN_TIMEOUT_MS);
process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));

let ok = false;
main()
  .then(() => { ok = true; })
  .catch((err) => say(`FAIL tour: ${(err as Error).message}`))
  .finally(async () => {
    await cleanUp();
    clearTimeout(watchdog);
    say(ok ? `tour: screenshots in ${OUT_DIR}` : `tour failed; what the window showed: ${FAILED}, logs in ${WORK}`);
    process.exit(ok ? 0 : 1);
  });
