// Notifications with actions that do not hold up the command that raised them: a command returns
// at once (callers, keybindings and tests are not left waiting on a toast), the action runs if picked.
import * as vscode from 'vscode';

export type Actions = Record<string, () => unknown>;

/** The latest notifications shown (read by the extension-host tests through the extension's API). */
export const shown: Array<{ kind: string; message: string; actions: string[] }> = [];

export function notify(kind: 'error' | 'warning' | 'info', message: string, actions: Actions = {}): void {
  shown.push({ kind, message, actions: Object.keys(actions) });
  if (shown.length > 50) shown.shift();
  const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void Promise.resolve(show(message, ...Object.keys(actions))).then((picked) => (picked ? actions[picked]?.() : undefined));
}
