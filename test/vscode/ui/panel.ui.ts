// The UI test in code-server: a user's path through the real workbench. The command palette launches
// the server (extension installed from the .vsix), the dashboard panel opens, real HTTP load makes the
// charts move, a screenshot of VS Code with the live charts is saved, the browser dashboard opens through
// code-server's proxy, and a window reload stops the server and restores the panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Browser } from '../harness/browser';
import { dashboardFrame, runCommand, sleep, waitFor } from './workbench';

export interface PanelUiOptions {
  browser: Browser;
  url: string;
  workspace: string;
  appPort: number;
  screenshot: string;
  log: (line: string) => void;
}

interface DashboardFacts {
  host: string;
  pointsReceived: number;
  workerPids: number[];
  cpuSeries: number;
  memorySeries: number;
  rpsMax: number;
}

function facts(frame: Frame): Promise<DashboardFacts> {
  return frame.evaluate(() => {
    const hook = (globalThis as unknown as { __gunicornLive: {
      host: string; pointsReceived: number; workerPids(): number[];
      charts(): Record<'cpu' | 'memory' | 'rps', Array<{ points: number; max: number }>>;
    } }).__gunicornLive;
    const charts = hook.charts();
    return {
      host: hook.host,
      pointsReceived: hook.pointsReceived,
      workerPids: hook.workerPids(),
      cpuSeries: charts.cpu.filter((s) => s.points > 0).length,
      memorySeries: charts.memory.filter((s) => s.points > 0).length,
      rpsMax: Math.max(0, ...charts.rps.map((s) => s.max)),
    };
  });
}

/** Bounded load on the test app: at most `count` requests, two at a time, for at most `ms`. */
async function load(port: number, count: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let sent = 0;
  const one = async () => {
    while (sent < count && Date.now() < deadline) {
      sent += 1;
      await fetch(`http://127.0.0.1:${port}/work`).then((r) => r.arrayBuffer()).catch(() => undefined);
      await sleep(20);
    }
  };
  await Promise.all([one(), one()]);
  return sent;
}

/**
 * Open Dashboard in Browser from code-server: asExternalUri turns the loopback hub into code-server's
 * /proxy/PORT/ path, the workbench opens it as a new page, and that page must load, connect its socket
 * through the proxy and show the same workers as the panel, without a CSP violation.
 */
async function openInBrowser(o: PanelUiOptions, page: Page, panelPids: number[]): Promise<void> {
  const problems: string[] = [];
  const opened = new Promise<Page>((resolve) => o.browser.context.once('page', (tab) => {
    tab.on('console', (msg) => {
      if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text().slice(0, 300));
    });
    tab.on('pageerror', (err) => problems.push(err.message.slice(0, 300)));
    resolve(tab);
  }));
  await runCommand(page, 'Gunicorn Live: Open Dashboard in Browser');
  const tab = await Promise.race([opened, sleep(30_000).then(() => undefined)]);
  if (!tab) throw new Error('Open Dashboard in Browser opened no page');
  try {
    await tab.waitForLoadState('domcontentloaded');
    const url = new URL(tab.url());
    o.log(`browser dashboard: ${url.origin}${url.pathname} (token in the fragment: ${url.hash.startsWith('#token=')})`);
    if (url.origin !== new URL(o.url).origin || !/^\/proxy\/\d+\/$/.test(url.pathname)) {
      throw new Error(`expected the page behind code-server's /proxy/PORT/, got ${url.origin}${url.pathname}`);
    }
    const shown = await waitFor('the browser dashboard to connect and show the workers', async () => {
      const f = await tab.evaluate(() => {
        const hook = (globalThis as unknown as { __gunicornLive?: { host: string; connection: string; workerPids(): number[] } }).__gunicornLive;
        return hook && { host: hook.host, connection: hook.connection, workerPids: hook.workerPids() };
      });
      return f && f.connection === 'connected' && f.workerPids.length === panelPids.length ? f : undefined;
    }, 30_000);
    o.log(`browser dashboard: ${JSON.stringify(shown)}`);
    const sortedPids = (xs: number[]) => JSON.stringify([...xs].sort((a, b) => a - b));
    if (shown.host !== 'browser' || sortedPids(shown.workerPids) !== sortedPids(panelPids)) {
      throw new Error(`the browser dashboard shows ${JSON.stringify(shown)}, the panel showed workers ${JSON.stringify(panelPids)}`);
    }
    if (problems.length > 0) throw new Error(`the browser dashboard reported: ${problems.join(' | ')}`);
  } finally {
    await tab.close().catch(() => undefined);
  }
}

export async function runPanelUiTest(o: PanelUiOptions): Promise<void> {
  const page = await o.browser.newPage();
  // Manifest problems (a bad problem matcher, a bad view id) and CSP violations show only here.
  const complaints: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' || msg.type() === 'warning') o.log(`[workbench ${msg.type()}] ${text.slice(0, 500)}`);
    // A window reload cancels the workbench's reads of the workspace's files (whose temporary path says
    // "gunicorn-live"): VS Code logs those as errors, and they are none of ours.
    const cancelledRead = /Unable to read file '[^']*' \(Canceled: Canceled\)/.test(text);
    if (/gunicorn-?live|gunicornLive|Content Security Policy/i.test(text) && msg.type() === 'error' && !cancelledRead) complaints.push(text.slice(0, 300));
  });
  try {
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    o.log('workbench is up; launching through the command palette');
    await runCommand(page, 'Gunicorn Live: Launch Instrumented Server');

    const frame = await waitFor('the dashboard webview', () => dashboardFrame(page), 60_000);
    o.log('dashboard webview is up');
    await waitFor('two workers in the panel', async () => (await facts(frame)).workerPids.length === 2, 45_000);
    o.log('two workers in the panel');
    // Load runs on while the charts fill and the screenshot is taken, so they show it live.
    const loadStarted = Date.now();
    const loading = load(o.appPort, 2000, 18_000);
    const seen = await waitFor('charts with CPU, memory and request-rate points', async () => {
      const f = await facts(frame);
      return f.pointsReceived >= 6 && f.cpuSeries >= 2 && f.memorySeries >= 2 && f.rpsMax > 0 ? f : undefined;
    }, 30_000);
    o.log(`panel: ${JSON.stringify(seen)}`);
    // The 1-minute window, so ten seconds of load fill the charts' width visibly.
    await frame.getByText('1 min', { exact: true }).click();
    // The Servers view next to the panel, no bottom panel: the screenshot shows the tree and the charts.
    await runCommand(page, 'Gunicorn Live: Focus on Servers View');
    await runCommand(page, 'View: Hide Panel');
    await page.locator('.pane-body .monaco-list-row', { hasText: 'app:app' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(Math.max(1500, 12_000 - (Date.now() - loadStarted)));
    await page.screenshot({ path: o.screenshot });
    o.log(`screenshot: ${o.screenshot}; sent ${await loading} requests to the app`);

    await openInBrowser(o, page, seen.workerPids);

    // Jump to code: a request outlives the worker timeout, the master aborts the worker, and the
    // stack in the events list opens app.py at the line of the sleep.
    const slow = fetch(`http://127.0.0.1:${o.appPort}/slow`, { signal: AbortSignal.timeout(20_000) }).catch(() => undefined);
    const frameButton = frame.locator('button.frame-link', { hasText: `${o.workspace}/app.py:` }).first();
    await frameButton.waitFor({ state: 'attached', timeout: 30_000 });
    const label = (await frameButton.textContent()) ?? '';
    const line = Number(/:(\d+)$/.exec(label)?.[1]);
    o.log(`timeout stack frame: ${label}`);
    const sleepLine = readFileSync(join(o.workspace, 'app.py'), 'utf8').split('\n').findIndex((l) => l.includes('time.sleep(30)')) + 1;
    if (line !== sleepLine) throw new Error(`the timeout stack points at app.py:${line}, not at the sleep on line ${sleepLine}`);
    await frameButton.scrollIntoViewIfNeeded();
    await frameButton.click();
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col 1` }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await slow;

    // A window reload: deactivate stops the server this window launched, and the serializer brings the
    // panel back in the new window.
    await runCommand(page, 'Developer: Reload Window');
    await waitFor('the app port to close', () => fetch(`http://127.0.0.1:${o.appPort}/`).then(() => false, () => true), 30_000);
    // VS Code restores a background webview tab when it is shown: show it, as a user would.
    const tab = page.locator('.tab', { hasText: 'Gunicorn Live' }).first();
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await tab.click();
    const revived = await waitFor('the dashboard panel restored after the reload', () => dashboardFrame(page), 60_000);
    o.log(`after reload: ${JSON.stringify(await facts(revived))}`);
    if (complaints.length > 0) throw new Error(`the workbench reported: ${complaints.join(' | ')}`);
  } finally {
    await page.close().catch(() => undefined);
  }
}
