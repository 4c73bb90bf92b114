// Runs the extension-host suite in code-server: the smoke-test driver payload loads the repo as a
// development extension plus the suite, and reports the suite's exit code through codeAutomationExit.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { SuiteResults } from '../suite/index';
import type { Browser } from './browser';

export interface HostSuiteOptions {
  browser: Browser;
  url: string;
  port: number;
  workspace: string;
  extensionPath: string;
  suiteIndex: string;
  resultsFile: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export async function runHostSuite(o: HostSuiteOptions): Promise<SuiteResults & { exitCode: number | null }> {
  rmSync(o.resultsFile, { force: true });
  const remote = (path: string) => `vscode-remote://127.0.0.1:${o.port}${path}`;
  const payload = [['extensionDevelopmentPath', remote(o.extensionPath)], ['extensionTestsPath', remote(o.suiteIndex)]];
  const page = await o.browser.newPage();
  // Extension-host output reaches the page console with %c styling; keep the plain text for the log.
  page.on('console', (msg) => {
    const text = msg.text().replace(/%c/g, '').replace(/color: [^;]+;?/g, '').trim();
    if (text) o.log(`[host] ${text}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const exitCode = await new Promise<number | null>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)).then(() =>
      page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`));
    timer = setTimeout(() => resolve(null), o.timeoutMs);
  });
  clearTimeout(timer);
  await page.close().catch(() => undefined);
  if (!existsSync(o.resultsFile)) {
    return { exitCode, passed: 0, failed: 1, tests: [{ title: 'extension-host suite wrote results', state: 'failed', ms: 0, error: `no ${o.resultsFile} (exit code ${exitCode})` }] };
  }
  const results = JSON.parse(readFileSync(o.resultsFile, 'utf8')) as SuiteResults;
  return { ...results, exitCode };
}
