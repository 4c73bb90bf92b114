// Where "fix the interpreter" lands, as a user sees it in code-server (a remote window): with
// gunicornLive.pythonPath naming a missing interpreter, Launch says so in a notification whose
// "Open Workspace Settings" opens the Settings editor on the Workspace tab, filtered to the setting and
// showing its value — not the User tab, which in a remote window shows "No Settings Found" for it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from '../harness/browser';
import { runCommand, waitFor } from './workbench';

export interface SettingsTabUiOptions {
  browser: Browser;
  url: string;
  workspace: string;
  screenshot: string;
  log: (line: string) => void;
}

const MISSING = '/nonexistent/python3';

export async function runSettingsTabUiTest(o: SettingsTabUiOptions): Promise<void> {
  const file = join(o.workspace, '.vscode', 'settings.json');
  mkdirSync(join(o.workspace, '.vscode'), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'gunicornLive.pythonPath': MISSING }, null, 2));
  const page = await o.browser.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Gunicorn Live: Launch Instrumented Server');
    // Headless, the workbench keeps notifications in its center rather than as toasts: open it there.
    const notification = page.locator('.notification-list-item', { hasText: `${MISSING} (from gunicornLive.pythonPath) cannot import gunicorn` });
    await waitFor('the notification', async () => {
      if (await notification.first().isVisible()) return true;
      await runCommand(page, 'Notifications: Show Notifications');
      return notification.first().isVisible();
    }, 30_000);
    await notification.first().getByRole('button', { name: 'Open Workspace Settings' }).click();
    // The Settings editor: its scope tabs, the search, and the setting's row with the folder's value.
    const checked = page.locator('.settings-tabs-widget .action-item .action-label.checked');
    const tab = await waitFor('the Settings editor\'s selected tab', async () => (await checked.first().isVisible()) && ((await checked.first().textContent()) ?? ''), 20_000);
    if (!/^Workspace/.test(tab.trim())) throw new Error(`the Settings editor opened on "${tab.trim()}", not Workspace`);
    const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'Python Path' }).locator('input').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const value = await input.inputValue();
    if (value !== MISSING) throw new Error(`the setting shows "${value}", not the folder's ${MISSING}`);
    o.log(`Open Workspace Settings: the "${tab.trim()}" tab, gunicornLive.pythonPath = ${value}`);
    await page.screenshot({ path: o.screenshot });
  } catch (err) {
    await page.screenshot({ path: o.screenshot.replace(/\.png$/, '-failed.png') }).catch(() => undefined);
    throw err;
  } finally {
    await page.close().catch(() => undefined);
  }
}
