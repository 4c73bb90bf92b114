// The same extension-host suite in a downloaded VS Code (@vscode/test-electron), for machines that can
// reach VS Code's download site (these cannot: there `npm run test:vscode` runs it in code-server).
// Usage: npm run test:vscode:electron      Ends with `N passed, N failed`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { bundleSuite, ROOT, SUITE_INDEX } from './harness/bundleTests';
import { killProcessesIn } from './harness/codeServer';
import { freePort, prepareWorkspace } from './harness/workspace';
import type { SuiteResults } from './suite/index';

const RESULTS = join(ROOT, 'test-output', 'vscode-suite.json');

/** One VS Code run of the suite; `trust` leaves Workspace Trust on, so the folder opens restricted. */
async function pass(trust: boolean): Promise<SuiteResults> {
  const ws = await prepareWorkspace();
  const userData = mkdtempSync(join(tmpdir(), 'gunicorn-live-electron-'));
  // The Restricted Mode pass also checks the hub listens on the configured port.
  const hubPort = await freePort();
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': trust,
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.startupEditor': 'none',
    ...(trust ? { 'gunicornLive.hub.port': hubPort } : {}),
  }));
  rmSync(RESULTS, { force: true });
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: SUITE_INDEX,
      launchArgs: [ws.dir, '--user-data-dir', userData, '--disable-extensions', ...(trust ? [] : ['--disable-workspace-trust'])],
      extensionTestsEnv: { GUNICORN_LIVE_VSCODE_RESULTS: RESULTS, ...(trust ? { GUNICORN_LIVE_VSCODE_GREP: 'Restricted Mode', GUNICORN_LIVE_TEST_HUB_PORT: String(hubPort) } : {}) },
    });
  } catch (err) {
    console.error(`test-electron: ${(err as Error).message}`);
  } finally {
    killProcessesIn(ws.dir);
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(userData, { recursive: true, force: true });
  }
  try {
    return JSON.parse(readFileSync(RESULTS, 'utf8')) as SuiteResults;
  } catch {
    return { passed: 0, failed: 1, tests: [{ title: 'VS Code ran the suite', state: 'failed', ms: 0, error: 'no results (could VS Code be downloaded?)' }] };
  }
}

async function main(): Promise<void> {
  if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
  await bundleSuite();
  let passed = 0;
  let failed = 0;
  for (const trust of [false, true]) {
    const r = await pass(trust);
    for (const t of r.tests) console.log(`${t.state === 'passed' ? 'ok  ' : 'FAIL'} ${t.title}${t.error ? `\n${t.error}` : ''}`);
    passed += r.passed;
    failed += r.failed;
    if (r.tests.length === 1 && r.tests[0].title === 'VS Code ran the suite') break; // no VS Code: one failure is enough
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`test-electron: ${(err as Error).message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
