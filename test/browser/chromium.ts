// Debian's Chromium through playwright-core (never `playwright install`), with a fresh profile, and
// a page that records what a person would not see: CSP violations, page errors, console errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface WatchedPage {
  page: Page;
  cspViolations: string[];
  pageErrors: string[];
  consoleErrors: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  colorScheme?: 'dark' | 'light';
  /** 'more' stands in for a high contrast theme (the page's prefers-contrast styles). */
  contrast?: 'more' | 'no-preference';
  viewport?: { width: number; height: number };
}

export async function openPage(options: PageOptions = {}): Promise<WatchedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'gunicorn-live-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ARGS,
    headless: true,
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    colorScheme: options.colorScheme ?? 'dark',
    contrast: options.contrast ?? 'no-preference',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const watched: WatchedPage = {
    page,
    cspViolations: [],
    pageErrors: [],
    consoleErrors: [],
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  // The event fires in the page; an exposed function carries it out before any page script runs.
  await page.exposeFunction('__reportCspViolation', (text: string) => watched.cspViolations.push(text));
  // A string, not a function: this file is typechecked without the DOM library.
  await page.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (e) => {
    window.__reportCspViolation(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
  });` });
  page.on('pageerror', (error) => watched.pageErrors.push(String(error)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') watched.consoleErrors.push(msg.text());
    if (/Content Security Policy/i.test(msg.text())) watched.cspViolations.push(msg.text());
  });
  return watched;
}
