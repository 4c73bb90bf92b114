// "Attach to a Server Started Elsewhere": the hub listens, and the user gets the environment and the
// Gunicorn flag that make a server started in their own terminal (or service manager) report to it.
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import { agentEnvironment } from '../launch/agentEnv';
import { AGENT_SHIM } from '../launch/paths';
import { log } from './log';
import { settings } from './settings';

export function attachInstructions(hub: Hub, sampleInterval: number): string {
  const env = agentEnvironment({ agentUrl: hub.agentUrl, token: hub.token, sampleInterval }, process.env.PYTHONPATH);
  const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}'`);
  return [
    `# Gunicorn Live listens for agents at ${hub.agentUrl} (this VS Code window, until it closes).`,
    '# Run these in the shell that starts Gunicorn, on this machine:',
    ...exports,
    `gunicorn -c '${AGENT_SHIM}' YOUR_USUAL_ARGUMENTS   # e.g. --workers 2 app:app`,
    '',
    '# Your own config still works: GUNICORN_LIVE_USER_CONFIG=path/to/gunicorn.conf.py (the agent loads it',
    '# and keeps its hooks); without it ./gunicorn.conf.py is used when present.',
    '# The server appears in the Gunicorn Live view once its agent connects.',
    '',
  ].join('\n');
}

/** The instructions open read-only under this scheme: an untitled document would be "dirty", so VS Code
 * would ask to save it on close and before every debug start (debug.saveBeforeStart). */
export const ATTACH_SCHEME = 'gunicorn-live';
const ATTACH_URI = vscode.Uri.from({ scheme: ATTACH_SCHEME, path: '/attach.sh' });

let current = '';
const changed = new vscode.EventEmitter<vscode.Uri>();

export function registerAttachDocument(): vscode.Disposable {
  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(ATTACH_SCHEME, { onDidChange: changed.event, provideTextDocumentContent: () => current }),
  );
}

export async function showAttachInstructions(hub: Hub): Promise<string> {
  current = attachInstructions(hub, settings().sampleInterval);
  changed.fire(ATTACH_URI);
  log().info(`Attach: agents connect to ${hub.agentUrl}`);
  const doc = await vscode.workspace.openTextDocument(ATTACH_URI);
  await vscode.window.showTextDocument(doc, { preview: true });
  await vscode.env.clipboard.writeText(current);
  void vscode.window.showInformationMessage('Gunicorn Live: the agent environment is copied to the clipboard (the token in it grants access to the hub).');
  return current;
}
