// An exit before the server served, said in Gunicorn's own words, for a task launch and a debug launch
// alike: the reason from the copy of its stderr (stderr_copy.py), the last lines in the output channel.
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { exitReason } from '../launch/exitReason';
import { log } from './log';
import { notify } from './notify';

/** What the launcher copies of stderr at most (server-agent/gunicorn_live/stderr_copy.py MAX_BYTES). */
export const STDERR_COPY_MAX = 64 * 1024;

/** The copy's text ('' when there is none), and the file gone. */
export function takeStderrCopy(file: string | undefined): string {
  if (!file) return '';
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // never written: Gunicorn did not get as far as its launcher
  }
  rmSync(file, { force: true });
  return text;
}

/** True when the copy holds all of stderr (under the launcher's limit): then its last reason is the exit's. */
export function wholeCopy(stderr: string): boolean {
  return stderr.length > 0 && Buffer.byteLength(stderr) < STDERR_COPY_MAX;
}

/** The notification and log lines for Gunicorn `name` that `when` ("exited before it served"). */
export function reportExit(name: string, when: string, stderr: string, fallback: string): void {
  const reason = exitReason(stderr) ?? fallback;
  log().error(`Gunicorn "${name}" ${when}: ${reason}\n${stderr.trimEnd().split('\n').slice(-30).join('\n')}`);
  notify('error', `Gunicorn Live: Gunicorn "${name}" ${when}: ${reason}`, {
    'Show Output': () => log().show(),
    'Show Terminal': () => vscode.window.terminals.find((t) => t.name.includes(name))?.show(),
  });
}
