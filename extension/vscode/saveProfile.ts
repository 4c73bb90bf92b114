// "Export" in the dashboard's Profile view, in VS Code: a webview cannot download, so the host asks
// where to save (the Save dialog) and writes the file the hub's API would have served.
import * as vscode from 'vscode';
import { profileFile } from '../hub/profile/profileApi';
import type { Store } from '../hub/store';
import type { UiToHub } from '../protocol/ui';
import { log } from './log';

export async function saveProfile(store: Store, message: Extract<UiToHub, { type: 'saveProfile' }>): Promise<void> {
  const { serverId, format, type: _type, ...query } = message;
  const profiles = store.profiles(serverId);
  if (!profiles) {
    void vscode.window.showWarningMessage(`Gunicorn Live: no server with id ${serverId} to export a profile of`);
    return;
  }
  const file = profileFile(profiles, serverId, query, format);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Export profile',
    defaultUri: folder ? vscode.Uri.joinPath(folder, file.filename) : undefined,
    filters: format === 'speedscope' ? { 'speedscope JSON': ['json'] } : { 'Collapsed stacks': ['txt'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(file.body, 'utf8'));
  log().info(`Profile exported to ${target.fsPath}`);
}
