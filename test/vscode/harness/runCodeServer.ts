// `npm run test:vscode`: the extension in a real VS Code (code-server, driven by Debian's Chromium).
// 1. cached code-server + Node 24 (installed once), 2. build, bundle the suite, package the .vsix,
// 3. the extension-host mocha suite via the smoke-test driver, 4. the UI test with a screenshot, then two
// short-lived windows: Restricted Mode, and the hand-over to the Python Debugger (a stand-in installed).
// While developing: GUNICORN_LIVE_VSCODE_GREP=<title part> runs only the matching extension-host tests,
// `-- --host-only` skips the UI tests and the extra windows, `-- --hand-over-only` runs the hand-over only.
// Ends with the line `N passed, N failed`; every process it started is stopped, whatever happens.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHotLinesUiTest } from '../ui/hotLines.ui';
import { runPanelUiTest } from '../ui/panel.ui';
import { runSettingsTabUiTest } from '../ui/settingsTab.ui';
import { launchBrowser, type Browser } from './browser';
import { bundleSuite, ROOT, SUITE_INDEX } from './bundleTests';
import { killProcessesIn, startCodeServer, type CodeServer } from './codeServer';
import { runHostSuite } from './hostSuite';
import { ensureToolchain, type Toolchain } from './install';
import { checkVsix, packageStandIn, packageVsix } from './vsix';
import { freePort, prepareWorkspace } from './workspace';

const OUT = join(ROOT, 'test-output');
/** `npm run test:vscode -- --host-only`: only the trusted extension-host pass (quicker while developing). */
const HOST_ONLY = process.argv.includes('--host-only') || process.argv.includes('--hand-over-only');
/** `-- --hand-over-only`: only the hand-over pass (the trusted pass then runs no test). */
const HAND_OVER_ONLY = process.argv.includes('--hand-over-only');
/** `-- --ui-only`: only the UI tests (GUNICORN_LIVE_VSCODE_UI_GREP=text: only those whose name has it). */
const UI_ONLY = process.argv.includes('--ui-only');
const UI_GREP = process.env.GUNICORN_LIVE_VSCODE_UI_GREP;
const wantUi = (name: string) => !UI_GREP || name.includes(UI_GREP);
const LOG = join(OUT, 'vscode-test.log');
const RESULTS = join(OUT, 'vscode-suite.json');
const HOST_SUITE_TIMEOUT_MS = 240_000;
/** Short, so a request to /slow gets its worker aborted with a stack the UI test can click. */
const UI_WORKER_TIMEOUT = 3;
/** Short, so the debugger test proves a worker paused at a breakpoint outlives the configured timeout. */
const HOST_WORKER_TIMEOUT = 3;
/** Everything together may not run longer than this (then the run fails and cleans up). */
const RUN_TIMEOUT_MS = 12 * 60_000;

/** Stops what the run started; also called by the watchdog and on Ctrl-C. */
const cleanups: Array<() => Promise<void>> = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

/** A test workspace goes with any Gunicorn still running in it (terminals outlive code-server's group). */
function dropWorkspace(dir: string): void {
  const killed = killProcessesIn(dir);
  if (killed.length > 0) say(`killed processes left in ${dir}: ${killed.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}

const results: Array<{ name: string; ok: boolean; ms: number; error?: string }> = [];
const fileLog = (line: string) => appendFileSync(LOG, `${new Date().toISOString()} ${line}\n`);
const say = (line: string) => {
  console.log(line);
  fileLog(line);
};

async function step(name: string, run: () => Promise<void>): Promise<boolean> {
  if (name.startsWith('UI:') && !wantUi(name)) return true;
  const started = Date.now();
  try {
    await run();
    results.push({ name, ok: true, ms: Date.now() - started });
    say(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return true;
  } catch (err) {
    const error = (err as Error).message ?? String(err);
    results.push({ name, ok: false, ms: Date.now() - started, error });
    say(`FAIL ${name}: ${error}`);
    return false;
  }
}

/** Runs the extension-host suite in `server` and records each test's result. */
async function hostPass(name: string, browser: Browser, server: CodeServer, workspace: string): Promise<void> {
  const started = Date.now();
  const host = await runHostSuite({
    browser, url: server.url, port: server.port, workspace, extensionPath: ROOT, suiteIndex: SUITE_INDEX,
    resultsFile: RESULTS, timeoutMs: HOST_SUITE_TIMEOUT_MS, log: fileLog,
  });
  for (const t of host.tests) {
    results.push({ name: t.title, ok: t.state === 'passed', ms: t.ms, error: t.error });
    say(`${t.state === 'passed' ? 'ok  ' : 'FAIL'} [${name}] ${t.title} (${(t.ms / 1000).toFixed(1)} s)${t.error ? `\n${t.error}` : ''}`);
  }
  if (host.exitCode === null) {
    results.push({ name: `${name}: extension-host suite finished in time`, ok: false, ms: HOST_SUITE_TIMEOUT_MS });
    say(`FAIL [${name}] the extension-host suite did not finish within ${HOST_SUITE_TIMEOUT_MS / 1000} s`);
  } else if (host.exitCode !== 0 && host.failed === 0) {
    results.push({ name: `${name}: extension-host suite exit code`, ok: false, ms: 0, error: `exit code ${host.exitCode}` });
  }
  say(`[${name}] extension-host suite: ${host.passed} passed, ${host.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function restrictedPass(toolchain: Toolchain): Promise<void> {
  const ws = await prepareWorkspace();
  cleanups.push(async () => dropWorkspace(ws.dir));
  try {
    // The hub's settings are honoured: this window's hub must listen exactly there.
    const hubPort = await freePort();
    const server = await startCodeServer({
      toolchain, workspace: ws.dir, trust: true, logFile: join(OUT, 'code-server-restricted.log'),
      machineSettings: { 'gunicornLive.hub.host': '127.0.0.1', 'gunicornLive.hub.port': hubPort },
      env: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS, GUNICORN_LIVE_VSCODE_GREP: 'Restricted Mode', GUNICORN_LIVE_TEST_HUB_PORT: String(hubPort) },
    });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    await hostPass('restricted', browser, server, ws.dir);
  } finally {
    await cleanUp();
  }
}

/**
 * The hand-over to the Python Debugger: a window with a stand-in for ms-python.debugpy installed (same id,
 * same debug type; the real one is not reachable from these machines), running the hand-over test only.
 */
async function handOverPass(toolchain: Toolchain): Promise<void> {
  const ws = await prepareWorkspace(HOST_WORKER_TIMEOUT);
  cleanups.push(async () => dropWorkspace(ws.dir));
  try {
    const standIn = packageStandIn(join(ROOT, 'test', 'vscode', 'standin-debugpy'), join(OUT, 'ms-python-debugpy-standin.vsix'));
    const server = await startCodeServer({
      toolchain, workspace: ws.dir, vsixes: [standIn], logFile: join(OUT, 'code-server-handover.log'),
      env: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS, GUNICORN_LIVE_VSCODE_GREP: 'Hand-over to the Python Debugger' },
    });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    await hostPass('hand-over', browser, server, ws.dir);
  } finally {
    await cleanUp();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(LOG, '');
  rmSync(join(OUT, 'vscode-extension-logs'), { recursive: true, force: true });
  const t0 = Date.now();
  const toolchain = ensureToolchain(say);
  say(`toolchain ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  await bundleSuite();
  let vsix = '';
  const packaged = await step('npm run package builds a .vsix with the agent and the bundle, without node_modules', async () => {
    vsix = packageVsix(join(OUT, 'gunicorn-live.vsix'));
    checkVsix(vsix);
  });

  const ws = await prepareWorkspace(HOST_WORKER_TIMEOUT);
  cleanups.push(async () => dropWorkspace(ws.dir));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      toolchain, workspace: ws.dir, vsixes: packaged ? [vsix] : [], logFile: join(OUT, 'code-server.log'), keepLogsIn: join(OUT, 'vscode-extension-logs'),
      // GUNICORN_LIVE_VSCODE_GREP=… runs only the matching extension-host tests (while developing).
      env: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS, ...(process.env.GUNICORN_LIVE_VSCODE_GREP ? { GUNICORN_LIVE_VSCODE_GREP: process.env.GUNICORN_LIVE_VSCODE_GREP } : {}) },
    });
    cleanups.push(() => server!.stop());
    say(`code-server ${server.url} (pid ${server.pid}), workspace ${ws.dir}, app port ${ws.appPort}`);
    browser = await launchBrowser();
    cleanups.push(() => browser!.close());

    if (!HAND_OVER_ONLY && !UI_ONLY) await hostPass('trusted', browser, server, ws.dir);
    if (HOST_ONLY) {
      say('--host-only: no UI test, no Restricted Mode pass');
    } else if (packaged) {
      // A folder of its own: the same folder would reopen the suite's editors (and its panel) first.
      const uiWs = await prepareWorkspace(UI_WORKER_TIMEOUT);
      cleanups.push(async () => dropWorkspace(uiWs.dir));
      await step('UI: launch from the command palette, live charts, screenshot, Open Dashboard in Browser through code-server\'s proxy, a timeout stack opens app.py at its line, reload restores the panel and stops the server', () =>
        runPanelUiTest({ browser: browser!, url: server!.url, workspace: uiWs.dir, appPort: uiWs.appPort, screenshot: join(OUT, 'vscode-panel.png'), log: say }));
      const hotWs = await prepareWorkspace();
      cleanups.push(async () => dropWorkspace(hotWs.dir));
      await step('UI: hot lines — gutter heat, end-of-line texts and the CodeLens in app.py after traffic to /cpu, screenshot; Profile Route… opens the Profile view on GET /cpu, whose spin_cpu row opens app.py at the line', () =>
        runHotLinesUiTest({ browser: browser!, url: server!.url, workspace: hotWs.dir, appPort: hotWs.appPort, screenshot: join(OUT, 'vscode-hot-lines.png'), log: say }));
      const settingsWs = await prepareWorkspace();
      cleanups.push(async () => dropWorkspace(settingsWs.dir));
      await step('UI: an interpreter that cannot import gunicorn → the notification\'s Open Workspace Settings shows gunicornLive.pythonPath on the Workspace tab with its value', () =>
        runSettingsTabUiTest({ browser: browser!, url: server!.url, workspace: settingsWs.dir, screenshot: join(OUT, 'vscode-settings-tab.png'), log: say }));
    } else {
      results.push({ name: 'UI test (needs the .vsix)', ok: false, ms: 0 });
    }
  } finally {
    await cleanUp();
  }
  // Restricted Mode needs a window with Workspace Trust on: a second, short-lived code-server.
  if (!HOST_ONLY && !UI_ONLY) await restrictedPass(toolchain);
  // The hand-over needs a window with the Python Debugger (a stand-in) installed: a third one.
  if ((!HOST_ONLY && !UI_ONLY) || HAND_OVER_ONLY) await handOverPass(toolchain);
  say(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function abort(why: string): void {
  say(`FAIL test:vscode: ${why}`);
  void Promise.race([cleanUp(), new Promise((r) => setTimeout(r, 15_000))]).then(() => {
    sweepTmp();
    console.log(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
    process.exit(1);
  });
}
const watchdog = setTimeout(() => abort(`exceeded ${RUN_TIMEOUT_MS / 60000} min`), RUN_TIMEOUT_MS);
process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));

/** VS Code's leftovers in /tmp that appeared during the run (some show up only as a window closes). */
const tmpBefore = new Set(readdirSync('/tmp').filter((f) => f.startsWith('vscode-')));
function sweepTmp(): void {
  for (const f of readdirSync('/tmp')) if (f.startsWith('vscode-') && !tmpBefore.has(f)) rmSync(join('/tmp', f), { recursive: true, force: true });
}

main()
  .catch((err) => {
    results.push({ name: 'test:vscode harness', ok: false, ms: 0, error: (err as Error).message });
    say(`FAIL test:vscode: ${(err as Error).message}`);
  })
  .finally(async () => {
    await cleanUp();
    sweepTmp();
    clearTimeout(watchdog);
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    if (existsSync(LOG)) say(`log: ${LOG}`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
