// What the UI tests do in code-server's workbench: wait, run a palette command, find the dashboard's webview.
import type { Frame, Page } from 'playwright-core';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Runs a command through the palette, retrying: the palette can lag while the host is busy. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 5000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await sleep(500 * attempt);
    }
  }
  throw new Error(`could not run "${title}" from the command palette`);
}

/** The webview frame that runs the dashboard (nested iframes in code-server). */
export async function dashboardFrame(page: Page): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const host = await frame.evaluate(() => (globalThis as unknown as { __gunicornLive?: { host: string } }).__gunicornLive?.host).catch(() => undefined);
    if (host === 'vscode') return frame;
  }
  return undefined;
}
