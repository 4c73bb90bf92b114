// What the browser tests read from the dashboard page: the debug hook (webview/debugHook.ts), table
// cells by column, the status line of the signal buttons, and the page's own complaints.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { WatchedPage } from './chromium';
import { until } from './live';

export interface SeriesSummary { label: string; points: number; max: number; last: number | null }
/** What window.__gunicornLive.charts() returns (webview/debugHook.ts). */
export type Charts = Record<'rps' | 'latency' | 'status' | 'saturation' | 'cpu' | 'memory', SeriesSummary[]>;

export const hook = <T>(page: Page, expr: string) => page.evaluate<T>(`window.__gunicornLive.${expr}`);
export const sorted = (pids: number[]) => [...pids].sort((a, b) => a - b);
export const rowPids = (page: Page, selector: string) =>
  page.$$eval(selector, (rows) => rows.map((r) => Number(r.getAttribute('data-pid'))).sort((a, b) => a - b));
export const livePids = (page: Page) => rowPids(page, '#workers-table tbody tr[data-pid]:not(.exited)');
export const cell = (page: Page, pid: number, col: string) => page.textContent(`#workers-table tr[data-pid="${pid}"] td[data-col="${col}"]`);
export const routeCells = (page: Page, col: string) =>
  page.$$eval(`#routes-table tbody tr`, (rows, c) => rows.map((r) => [r.getAttribute('data-route'), r.querySelector(`td[data-col="${c}"]`)!.textContent]), col);

/** Clicks a signal button and returns every text the status line showed, up to the effect. */
export async function command(page: Page, signal: string): Promise<string[]> {
  await page.evaluate(`(() => {
    const el = document.getElementById('control-status');
    window.__statusLog = [];
    if (!window.__statusObserved) new MutationObserver(() => window.__statusLog.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
    window.__statusObserved = true;
  })()`);
  await page.click(`vscode-button[data-signal="${signal}"]`);
  await until(async () => ['done', 'failed', 'timeout'].includes((await page.getAttribute('#control-status', 'data-phase')) ?? ''), `the effect of ${signal}`, 45_000);
  return page.evaluate<string[]>('window.__statusLog.slice()');
}

export function assertClean(w: WatchedPage): void {
  assert.deepEqual(w.cspViolations, []);
  assert.deepEqual(w.pageErrors, []);
  assert.deepEqual(w.consoleErrors.filter((e) => !/favicon/.test(e)), []);
}
