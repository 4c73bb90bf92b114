// The "Gunicorn Live" output channel: one place where users (and bug reports) see what the extension did.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Gunicorn Live', { log: true });
  return channel;
}

/** The message of anything thrown, as one line (users see it in a notification). */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0];
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
