// "Attach to a Server Started Elsewhere": the hub listens, and the user gets the environment and the
// Gunicorn flag that make a server started in their own terminal (or service manager) report to it.
import * as vscode from 'vscode';
import { AGENT_SHIM } from '../cli/paths';
import type { Hub } from '../hub/hub';
import { agentEnv } from './gunicornCommand';
import { log } from './log';
import { settings } from './settings';

export function attachInstructions(hub: Hub, sampleInterval: number): string {
  const env = agentEnv(hub.agentUrl, hub.token, sampleInterval);
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

export async function showAttachInstructions(hub: Hub): Promise<string> {
  const text = attachInstructions(hub, settings().sampleInterval);
  log().info(`Attach: agents connect to ${hub.agentUrl}`);
  const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: text });
  await vscode.window.showTextDocument(doc, { preview: true });
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage('Gunicorn Live: the agent environment is copied to the clipboard (the token in it grants access to the hub).');
  return text;
}
