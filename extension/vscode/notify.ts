// Notifications with actions that do not hold up the command that raised them: a command returns
// at once (callers, keybindings and tests are not left waiting on a toast), the action runs if picked.
import * as vscode from 'vscode';

export type Actions = Record<string, () => unknown>;

export function notify(kind: 'error' | 'warning' | 'info', message: string, actions: Actions = {}): void {
  const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void Promise.resolve(show(message, ...Object.keys(actions))).then((picked) => (picked ? actions[picked]?.() : undefined));
}
