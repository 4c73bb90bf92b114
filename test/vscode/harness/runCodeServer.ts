// `npm run test:vscode`: the extension in a real VS Code (code-server, driven by Debian's Chromium).
// 1. cached code-server + Node 24 (installed once), 2. build, bundle the suite, package the .vsix,
// 3. the extension-host mocha suite via the smoke-test driver, 4. the UI test with a screenshot.
// Ends with the line `N passed, N failed`; every process it started is stopped, whatever happens.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPanelUiTest } from '../ui/panel.ui';
import { launchBrowser, type Browser } from './browser';
import { bundleSuite, ROOT, SUITE_INDEX } from './bundleTests';
import { startCodeServer, type CodeServer } from './codeServer';
import { runHostSuite } from './hostSuite';
import { ensureToolchain, type Toolchain } from './install';
import { checkVsix, packageVsix } from './vsix';
import { prepareWorkspace } from './workspace';

const OUT = join(ROOT, 'test-output');
const LOG = join(OUT, 'vscode-test.log');
const RESULTS = join(OUT, 'vscode-suite.json');
const HOST_SUITE_TIMEOUT_MS = 240_000;
/** Everything together may not run longer than this (then the run fails and cleans up). */
const RUN_TIMEOUT_MS = 12 * 60_000;

/** Stops what the run started; also called by the watchdog and on Ctrl-C. */
const cleanups: Array<() => Promise<void>> = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

const results: Array<{ name: string; ok: boolean; ms: number; error?: string }> = [];
const fileLog = (line: string) => appendFileSync(LOG, `${new Date().toISOString()} ${line}\n`);
const say = (line: string) => {
  console.log(line);
  fileLog(line);
};

async function step(name: string, run: () => Promise<void>): Promise<boolean> {
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
  cleanups.push(async () => rmSync(ws.dir, { recursive: true, force: true }));
  try {
    const server = await startCodeServer({
      toolchain, workspace: ws.dir, trust: true, logFile: join(OUT, 'code-server-restricted.log'),
      env: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS, GUNICORN_LIVE_VSCODE_GREP: 'Restricted Mode' },
    });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    await hostPass('restricted', browser, server, ws.dir);
  } finally {
    await cleanUp();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(LOG, '');
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

  const ws = await prepareWorkspace();
  cleanups.push(async () => rmSync(ws.dir, { recursive: true, force: true }));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      toolchain, workspace: ws.dir, vsixes: packaged ? [vsix] : [], logFile: join(OUT, 'code-server.log'),
      env: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS },
    });
    cleanups.push(() => server!.stop());
    say(`code-server ${server.url} (pid ${server.pid}), workspace ${ws.dir}, app port ${ws.appPort}`);
    browser = await launchBrowser();
    cleanups.push(() => browser!.close());

    await hostPass('trusted', browser, server, ws.dir);
    if (packaged) {
      await step('UI: Launch from the command palette, live charts in the panel, screenshot, reload restores the panel and stops the server', () =>
        runPanelUiTest({ browser: browser!, url: server!.url, workspace: ws.dir, appPort: ws.appPort, screenshot: join(OUT, 'vscode-panel.png'), log: say }));
    } else {
      results.push({ name: 'UI test (needs the .vsix)', ok: false, ms: 0 });
    }
  } finally {
    await cleanUp();
  }
  // Restricted Mode needs a window with Workspace Trust on: a second, short-lived code-server.
  await restrictedPass(toolchain);
  say(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function abort(why: string): void {
  say(`FAIL test:vscode: ${why}`);
  void Promise.race([cleanUp(), new Promise((r) => setTimeout(r, 15_000))]).then(() => {
    console.log(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
    process.exit(1);
  });
}
const watchdog = setTimeout(() => abort(`exceeded ${RUN_TIMEOUT_MS / 60000} min`), RUN_TIMEOUT_MS);
process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));

main()
  .catch((err) => {
    results.push({ name: 'test:vscode harness', ok: false, ms: 0, error: (err as Error).message });
    say(`FAIL test:vscode: ${(err as Error).message}`);
  })
  .finally(() => {
    clearTimeout(watchdog);
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    if (existsSync(LOG)) say(`log: ${LOG}`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
