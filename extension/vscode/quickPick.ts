// QuickPicks that the extension-host tests can read back (as notify.ts does for notifications): the
// workbench shows the list, the test sees which items were offered, in which order, with what detail.
import * as vscode from 'vscode';

export interface ShownPick {
  title: string;
  items: Array<{ label: string; description?: string; detail?: string }>;
}

export const picksShown: ShownPick[] = [];

export function pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions & { title: string }): Thenable<T | undefined> {
  picksShown.push({ title: options.title, items: items.map(({ label, description, detail }) => ({ label, description, detail })) });
  if (picksShown.length > 20) picksShown.shift();
  return vscode.window.showQuickPick(items, options);
}
