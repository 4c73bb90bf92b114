// The hot lines as a user sees them in code-server: launch from the palette, traffic to GET /cpu, app.py
// opened shows gutter heat marks, the end-of-line texts and the CodeLens above spin_cpu (screenshot);
// "Profile Route…" picks GET /cpu (the route with most time) and opens the dashboard's Profile view on
// it; its top-functions row for spin_cpu opens app.py at the sampled line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Browser } from '../harness/browser';
import { dashboardFrame, runCommand, sleep, waitFor } from './workbench';

export interface HotLinesUiOptions {
  browser: Browser;
  url: string;
  workspace: string;
  appPort: number;
  screenshot: string;
  log: (line: string) => void;
}

/** The end-of-line texts the editor draws (an `after` decoration is a ::after pseudo-element). */
function afterTexts(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('.monaco-editor .view-line span')]
    .map((e) => getComputedStyle(e, '::after').content)
    .filter((c) => c.includes('▮'))
    .map((c) => c.replace(/^"|"$/g, ''))`);
}

/** Gutter icons with a heat mark, by level. */
function gutterLevels(page: Page): Promise<number[]> {
  return page.evaluate(`[...document.querySelectorAll('.monaco-editor .margin *')]
    .map((e) => /heat-(\\d)\\.svg/.exec(getComputedStyle(e).backgroundImage)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)`);
}

function profileFacts(frame: Frame): Promise<{ state: string; query: string; topFunction: string | null; tab: string | null }> {
  return frame.evaluate(() => {
    const hook = (globalThis as unknown as { __gunicornLive: { profile(): { state: string; query: string; topFunction: string | null } | null } }).__gunicornLive;
    const p = hook.profile();
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
    return { state: p?.state ?? '', query: p?.query ?? '', topFunction: p?.topFunction ?? null, tab: doc.querySelector('[role=tab][aria-selected=true]')?.textContent ?? null };
  });
}

export async function runHotLinesUiTest(o: HotLinesUiOptions): Promise<void> {
  const page = await o.browser.newPage();
  const source = readFileSync(join(o.workspace, 'app.py'), 'utf8').split('\n');
  const spinDef = source.findIndex((l) => l.startsWith('def spin_cpu(')) + 1;
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Gunicorn Live: Launch Instrumented Server');
    await waitFor('the dashboard webview', () => dashboardFrame(page), 60_000);
    await waitFor('the app to answer', () => fetch(`http://127.0.0.1:${o.appPort}/`).then((r) => r.ok, () => false), 45_000);
    // Bounded traffic: /cpu burns, / barely costs (it is the second route by time).
    for (let i = 0; i < 80; i++) {
      await fetch(`http://127.0.0.1:${o.appPort}/cpu`).then((r) => r.arrayBuffer());
      if (i % 10 === 0) await fetch(`http://127.0.0.1:${o.appPort}/`).then((r) => r.arrayBuffer());
    }
    o.log('sent 80 requests to /cpu and 8 to /; opening app.py');

    // app.py from Quick Open.
    await runCommand(page, 'View: Hide Panel');
    await runCommand(page, 'Go to File...');
    // At the line of cpu(): spin_cpu and the view calling it in view (only visible lines are drawn).
    await page.locator('.quick-input-widget input').fill(`app.py:${spinDef + 10}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.py' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ state: 'visible', timeout: 15_000 });

    const texts = await waitFor('end-of-line hot texts naming GET /cpu', async () => {
      const t = await afterTexts(page);
      // The call line in cpu() and spin_cpu's loop body at least.
      return t.length >= 2 && t.every((x) => /^▮ .* % · GET \/cpu · [\d.]+ (ms|s) p50$/.test(x)) ? t : undefined;
    }, 30_000).catch(async (err: Error) => {
      o.log(`editor lines: ${JSON.stringify(await page.evaluate(`[...document.querySelectorAll('.monaco-editor .view-line')].slice(0, 60).map((l) => l.innerHTML.slice(0, 300))`))}`);
      throw err;
    });
    o.log(`hot line texts: ${JSON.stringify(texts)}`);
    const levels = await gutterLevels(page);
    if (levels.length !== texts.length) {
      o.log(`margin: ${JSON.stringify(await page.evaluate(`[...document.querySelectorAll('.monaco-editor .margin *')].filter((e) => getComputedStyle(e).backgroundImage !== 'none').map((e) => e.className + ' ' + getComputedStyle(e).backgroundImage.slice(0, 300))`))}`);
      throw new Error(`gutter heat marks ${JSON.stringify(levels)} for ${texts.length} hot lines`);
    }
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: 'GET /cpu' }).first();
    await lens.waitFor({ state: 'visible', timeout: 15_000 });
    o.log(`CodeLens: ${await lens.textContent()}`);
    await sleep(500);
    await page.screenshot({ path: o.screenshot });
    o.log(`screenshot: ${o.screenshot}`);

    // Profile Route…: GET /cpu first (most time), Enter takes it; the panel shows its Profile view.
    await runCommand(page, 'Gunicorn Live: Profile Route…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'GET /' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    const firstLabel = (await page.locator('.quick-input-list .monaco-list-row').first().textContent()) ?? '';
    if (!firstLabel.startsWith('GET /cpu')) throw new Error(`the first route offered is "${firstLabel}", not GET /cpu`);
    await page.keyboard.press('Enter');
    const frame = await waitFor('the dashboard webview', () => dashboardFrame(page), 30_000);
    const facts = await waitFor('the Profile view on GET /cpu', async () => {
      const f = await profileFacts(frame);
      return f.tab?.includes('Profile') && f.state === 'ready' && f.query && JSON.parse(f.query).route === 'GET /cpu' ? f : undefined;
    }, 30_000);
    o.log(`Profile view: ${JSON.stringify(facts)}`);

    // The top-functions row of spin_cpu: its frame opens app.py at the sampled line.
    const link = frame.locator('tr[data-function="spin_cpu"] button.frame-link').first();
    await link.waitFor({ state: 'attached', timeout: 15_000 });
    const label = (await link.textContent()) ?? '';
    const line = Number(/:(\d+)$/.exec(label)?.[1]);
    if (!label.startsWith(`${o.workspace}/app.py:`) || line <= spinDef || line > spinDef + 5) throw new Error(`spin_cpu's frame is ${label}, not in app.py:${spinDef}..${spinDef + 5}`);
    await link.scrollIntoViewIfNeeded();
    await link.click();
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col 1` }).first().waitFor({ state: 'visible', timeout: 10_000 });
    o.log(`spin_cpu's row opened app.py at line ${line}`);
  } catch (err) {
    await page.screenshot({ path: o.screenshot.replace(/\.png$/, '-failed.png') }).catch(() => undefined);
    throw err;
  } finally {
    await page.close().catch(() => undefined);
  }
}
