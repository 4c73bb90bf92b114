// Small waits and lookups the extension-host tests share. Everything polls with a bound: the host,
// Gunicorn and the agent all run asynchronously, and a hang must fail with what it waited for.
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';

export const EXTENSION_ID = 'gunicorn-live.gunicorn-live';

export async function extensionApi(): Promise<GunicornLiveApi> {
  const ext = vscode.extensions.getExtension<GunicornLiveApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** Polls `probe` until it returns something truthy; `abortIf` names a state that makes waiting pointless. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  abortIf?: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const hopeless = abortIf?.();
    if (hopeless) throw new Error(`gave up waiting for ${what}: ${hopeless}`);
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last as Error)})` : ''}`);
}

/** The real children of a process, from /proc (what Gunicorn's workers are). */
export function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b);
}

/** Running: a zombie (exited, not yet reaped — an orphan where pid 1 does not reap) is not. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder (test/vscode/workspace)');
  return folder;
}

/** A debugging suite's teardown: its listeners, every breakpoint and debug session, and any Gunicorn left
 * behind by a failed test. */
export async function endDebugging(disposables: vscode.Disposable[], pids: number[]): Promise<void> {
  for (const d of disposables) d.dispose();
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  await vscode.debug.stopDebugging();
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
}
