// The README's screenshot tour: a new user's first launch on a small Flask project, in code-server's
// workbench. 1 the Gunicorn Live view before launch, 2 right after Launch (Servers view, dashboard,
// terminal), 3 the dashboard after traffic, 4 the Profile view on the slow route (from its routes-table
// flame button), 5 a worker timeout's stack in Events beside the routes table, 6 app.py opened from that
// stack, with hot lines. Each step waits on real state (the view's button, two workers, requests counted,
// the profile ready, the timeout's event) and asserts it before its PNG; selectors are roles and labels
// where the workbench has them, so small UI changes keep it working. Whatever the launch asks in a
// QuickPick gets its first answer. `npm run tour` runs it (test/vscode/harness/runTour.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startTraffic, type TrafficMix } from '../../../extension/cli/traffic';
import type { Browser } from '../harness/browser';
import { dashboardFrame, runCommand, waitFor } from './workbench';

export interface TourOptions {
  browser: Browser;
  url: string;
  workspace: string;
  appPort: number;
  /** Folder the PNGs are written to. */
  outDir: string;
  /** Where the window is saved when a step fails. */
  failedScreenshot: string;
  log: (line: string) => void;
}

/** The window the screenshots show: README-sized. */
export const VIEWPORT = { width: 1280, height: 800 };

/** The tour app's routes, as a day's users would hit them: mostly products, some reports, a failing checkout. */
const MIX: TrafficMix = [['/', 10], ['/products/{n}', 50], ['/report', 12], ['/checkout', 2], ['/cart', 2]];

interface PanelFacts {
  workerPids: number[];
  rpsPoints: number;
  rpsMax: number;
  requests: string;
  latency: string;
  routes: string[];
}

function panelFacts(frame: Frame): Promise<PanelFacts> {
  return frame.evaluate(() => {
    const hook = (globalThis as unknown as { __gunicornLive: {
      workerPids(): number[]; charts(): Record<'rps', Array<{ points: number; max: number }>>;
    } }).__gunicornLive;
    const doc = (globalThis as unknown as { document: {
      querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }>;
    } }).document;
    const rps = hook.charts().rps;
    return {
      workerPids: hook.workerPids(),
      rpsPoints: Math.max(0, ...rps.map((s) => s.points)),
      rpsMax: Math.max(0, ...rps.map((s) => s.max)),
      requests: doc.querySelector('#kpi-requests')?.textContent ?? '',
      latency: doc.querySelector('#kpi-latency')?.textContent ?? '',
      routes: [...doc.querySelectorAll('#routes-table tr[data-route]')].map((tr) => tr.getAttribute('data-route') ?? ''),
    };
  });
}

function profileFacts(frame: Frame): Promise<{ state: string; route: string | null; topFunction: string | null }> {
  return frame.evaluate(() => {
    const hook = (globalThis as unknown as { __gunicornLive: { profile(): { state: string; query: string; topFunction: string | null } | null } }).__gunicornLive;
    const p = hook.profile();
    const query = p?.query ? (JSON.parse(p.query) as { route?: string }) : {};
    return { state: p?.state ?? '', route: query.route ?? null, topFunction: p?.topFunction ?? null };
  });
}

/** The 1-based line of the first line of app.py that contains `text`. */
function lineOf(workspace: string, text: string): number {
  const line = readFileSync(join(workspace, 'app.py'), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  if (line === 0) throw new Error(`app.py has no line with ${text}`);
  return line;
}

/** Whatever the first launch asks (an interpreter, an app): the first, recommended answer, as a hurried user would. */
async function launchAnsweringPicks(page: Page, o: TourOptions): Promise<Frame> {
  const told = new Set<string>();
  return waitFor('the dashboard after Launch', async () => {
    for (const toast of await page.locator('.notifications-toasts .notification-toast').allTextContents()) {
      if (!told.has(toast)) o.log(`notification: ${toast.trim().slice(0, 300)}`);
      told.add(toast);
    }
    const pick = page.locator('.quick-input-widget');
    if (await pick.isVisible()) {
      const title = (await pick.locator('.quick-input-title, .quick-input-header').first().textContent().catch(() => '')) ?? '';
      const first = (await pick.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => '')) ?? '';
      o.log(`launch asked: "${title.trim()}"; taking "${first.trim()}"`);
      await page.keyboard.press('Enter');
    }
    const error = page.locator('.notifications-toasts .notification-toast', { has: page.locator('.codicon-error') });
    if (await error.count()) throw new Error(`launch failed: ${await error.first().textContent()}`);
    return dashboardFrame(page);
  }, 90_000);
}

/** The dashboard's own box in the window, for screenshots cropped to it. */
async function panelBox(frame: Frame): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await (await frame.frameElement()).boundingBox();
  if (!box) throw new Error('the dashboard webview has no box on the page');
  return box;
}

async function sideBarVisible(page: Page): Promise<boolean> {
  return page.locator('.part.sidebar').isVisible();
}

export async function runTour(o: TourOptions): Promise<string[]> {
  const page = await o.browser.newPage();
  const written: string[] = [];
  const shot = async (name: string, clip?: { x: number; y: number; width: number; height: number }) => {
    // The palette fades out after a command: not in the picture.
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // The pointer on the empty title bar: no tooltip, no hovered chart.
    await page.mouse.move(VIEWPORT.width - 250, 12);
    const path = join(o.outDir, name);
    await page.screenshot({ path, clip });
    written.push(path);
    o.log(`screenshot: ${path}`);
  };
  const traffic = { stop: () => {}, sent: () => 0 };
  try {
    await page.setViewportSize(VIEWPORT);
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });

    // 1. The project as it opens: app.py from the Explorer, then the Gunicorn Live view from the activity bar.
    const explorerRow = page.locator('.explorer-folders-view').getByRole('treeitem', { name: /^app\.py\b/ });
    await explorerRow.click({ timeout: 20_000 }).catch(async () => {
      o.log('app.py not clickable in the Explorer; opening it with Go to File');
      await runCommand(page, 'Go to File...');
      await page.locator('.quick-input-widget input').fill('app.py');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.py' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
    });
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ state: 'visible', timeout: 15_000 });
    const activity = page.locator('.part.activitybar').getByRole('tab', { name: /^Gunicorn Live/ });
    await activity.click({ timeout: 10_000 }).catch(() => runCommand(page, 'Gunicorn Live: Focus on Servers View'));
    // The view's welcome (not its title bar's ▶, the same command): what a new user sees first.
    const launchButton = page.locator('.part.sidebar').getByRole('region', { name: 'Welcome' }).getByRole('button', { name: 'Launch Instrumented Server' });
    await launchButton.waitFor({ state: 'visible', timeout: 30_000 });
    await shot('1-before-launch.png');

    // 2. Launch: the task starts Gunicorn in a terminal, the Servers view lists it, the dashboard opens.
    await launchButton.click();
    const frame = await launchAnsweringPicks(page, o);
    const started = await waitFor('two workers in the dashboard', async () => {
      const f = await panelFacts(frame);
      return f.workerPids.length === 2 ? f : undefined;
    }, 60_000);
    o.log(`launched: workers ${JSON.stringify(started.workerPids)}`);
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'app:app' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.part.statusbar').getByText(/2 workers/).first().waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor('the app to answer', () => fetch(`http://127.0.0.1:${o.appPort}/`).then((r) => r.ok, () => false), 30_000);
    await shot('2-launched.png');

    // 3. Traffic (the demo's generator, with this app's routes): tiles, charts and the routes table fill.
    Object.assign(traffic, startTraffic({ port: o.appPort, concurrency: 3, pauseMs: 60, durationMs: 5 * 60_000, mix: MIX }));
    await frame.getByLabel('Show the last 1 minute', { exact: true }).click();
    await runCommand(page, 'View: Hide Panel');
    if (await sideBarVisible(page)) await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    const busy = await waitFor('requests, latency and four routes in the dashboard', async () => {
      const f = await panelFacts(frame);
      const count = Number(f.requests.replace(/[^\d.]/g, '')) * (/k/i.test(f.requests) ? 1000 : 1);
      return count >= 1000 && /\d/.test(f.latency) && f.routes.length >= 4 && f.rpsPoints >= 35 && f.rpsMax > 0 ? f : undefined;
    }, 90_000);
    o.log(`after traffic: ${JSON.stringify(busy)}`);
    const reportRoute = busy.routes.find((r) => r.includes('/report'));
    if (!reportRoute) throw new Error(`no /report route in the routes table: ${JSON.stringify(busy.routes)}`);
    await shot('3-traffic.png', await panelBox(frame));

    // 4. The slow route's profile: its flame button in the routes table opens the Profile view.
    await frame.getByRole('button', { name: `Profile ${reportRoute}` }).click();
    const profile = await waitFor(`the Profile view on ${reportRoute}, sales_report on top`, async () => {
      const p = await profileFacts(frame);
      return p.state === 'ready' && p.route === reportRoute && p.topFunction === 'sales_report' ? p : undefined;
    }, 45_000);
    o.log(`Profile view: ${JSON.stringify(profile)}`);
    await shot('4-profile.png', await panelBox(frame));

    // 5. A request outlives the worker timeout: the master aborts the worker, and the Events list shows the
    // exit with the stack, next to the routes table.
    await frame.getByRole('tab', { name: /Overview/ }).click();
    const hanging = fetch(`http://127.0.0.1:${o.appPort}/export`, { signal: AbortSignal.timeout(60_000) }).catch(() => undefined);
    const sleepLine = lineOf(o.workspace, 'time.sleep(60)');
    const frameLink = frame.locator('#events-list li[data-reason="timeout"] button.frame-link', { hasText: `app.py:${sleepLine}` }).first();
    await frameLink.waitFor({ state: 'attached', timeout: 60_000 });
    o.log(`timeout event: ${(await frame.locator('#events-list li[data-reason="timeout"] .event-text').first().textContent())?.trim()}`);
    // The aborted request's row: GET /export, counted once as aborted, with its real duration.
    const exportRow = frame.locator('#routes-table tbody tr', { hasText: '/export' }).first();
    await exportRow.waitFor({ state: 'attached', timeout: 30_000 });
    o.log(`routes row: ${(await exportRow.textContent())?.replace(/\s+/g, ' ').trim()}`);
    const lower = frame.locator('.lower-grid');
    await lower.scrollIntoViewIfNeeded();
    // Step 4's click scrolled the routes table sideways to its Profile column: back to the route names.
    await frame.evaluate(() => {
      for (const el of (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ scrollLeft: number }> } }).document.querySelectorAll('*')) el.scrollLeft = 0;
    });
    await shot('5-timeout.png', (await lower.boundingBox()) ?? undefined);

    // 6. Its app.py frame opens the file at the line where the request waited; the hot lines and CodeLenses
    // say where requests spend their time.
    await frameLink.click();
    await page.locator('.tab.active', { hasText: 'app.py' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: `Ln ${sleepLine}, Col 1` }).first().waitFor({ state: 'visible', timeout: 10_000 });
    o.log(`the timeout's stack opened app.py at line ${sleepLine}`);
    await hanging;
    // Scrolled up as a user would, the cursor staying at the line: sales_report and its view come into sight.
    const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    const box = await editor.boundingBox();
    if (!box) throw new Error('no editor on the page');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const productLine = String(lineOf(o.workspace, 'def product('));
    await waitFor(`line ${productLine} (def product) in sight`, async () => {
      const numbers = await page.locator('.editor-group-container.active .monaco-editor .line-numbers').allTextContents();
      if (numbers.map((n) => n.trim()).includes(productLine)) return true;
      await page.mouse.wheel(0, -120);
      return false;
    }, 15_000);
    const lenses = page.locator('.contentWidgets .codelens-decoration:visible', { hasText: reportRoute });
    await waitFor(`CodeLenses naming ${reportRoute} above sales_report and report`, async () => (await lenses.count()) >= 2, 45_000);
    o.log(`CodeLenses: ${JSON.stringify((await lenses.allTextContents()).map((t) => t.trim()))}`);
    await shot('6-app-py.png');
    return written;
  } catch (err) {
    await page.screenshot({ path: o.failedScreenshot }).catch(() => undefined);
    throw err;
  } finally {
    traffic.stop();
    await page.close().catch(() => undefined);
  }
}
