// The Gunicorn masters this window started (as `gunicorn` tasks): their pids, so "Stop Server" and
// deactivate can end them even when their agent is not connected.
import * as vscode from 'vscode';
import { TASK_TYPE } from './gunicornTask';
import { log } from './log';
import { notify } from './notify';

export class LaunchedServers implements vscode.Disposable {
  private readonly pids = new Map<vscode.TaskExecution, number>();
  private readonly waiters = new Map<vscode.TaskExecution, (pid: number | undefined) => void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.tasks.onDidStartTaskProcess((e) => {
        if (e.execution.task.definition.type !== TASK_TYPE) return;
        // ProcessExecution runs the interpreter itself, so this is the Gunicorn master's pid.
        this.pids.set(e.execution, e.processId);
        log().info(`Gunicorn "${e.execution.task.name}" started, master pid ${e.processId}`);
        this.waiters.get(e.execution)?.(e.processId);
        this.waiters.delete(e.execution);
      }),
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== TASK_TYPE) return;
        const pid = this.pids.get(e.execution);
        this.pids.delete(e.execution);
        const name = e.execution.task.name;
        log().info(`Gunicorn "${name}" (pid ${pid ?? '?'}) exited with code ${e.exitCode ?? 'unknown'}`);
        // Exit codes 1, 3 and 4 mean a bad config, a worker that could not boot or an app that would not load.
        if (e.exitCode) {
          notify('error', `Gunicorn Live: Gunicorn "${name}" exited with code ${e.exitCode}. Its output is in the task's terminal.`, {
            'Show Terminal': () => vscode.window.terminals.find((t) => t.name.includes(name))?.show(),
          });
        }
        this.waiters.get(e.execution)?.(undefined);
        this.waiters.delete(e.execution);
      }),
    );
  }

  /** Resolves with the master pid once the task's process runs (undefined if it ended or never started). */
  waitForPid(execution: vscode.TaskExecution, timeoutMs = 20_000): Promise<number | undefined> {
    const known = this.pids.get(execution);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(execution);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(execution, (pid) => {
        clearTimeout(timer);
        resolve(pid);
      });
    });
  }

  has(pid: number): boolean {
    return [...this.pids.values()].includes(pid);
  }

  all(): number[] {
    return [...this.pids.values()];
  }

  /** SIGTERM: Gunicorn's graceful stop (a terminal's SIGHUP would only reload it). */
  terminate(pid: number): boolean {
    try {
      process.kill(pid, 'SIGTERM');
      return true;
    } catch {
      return false;
    }
  }

  /** Stops every master this window started and waits (bounded) until they are gone. */
  async stopAll(timeoutMs = 4000): Promise<void> {
    const pids = this.all();
    if (pids.length === 0) return;
    log().info(`Stopping Gunicorn masters ${pids.join(', ')}`);
    for (const pid of pids) this.terminate(pid);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids.filter(alive)) {
      // Graceful stop did not finish in time (a busy worker): don't leave the server behind the window.
      log().warn(`Gunicorn master ${pid} still running after ${timeoutMs} ms; sending SIGQUIT`);
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
