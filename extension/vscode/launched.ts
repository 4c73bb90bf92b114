// The Gunicorn masters this window started (as `gunicorn` tasks): their pids, so "Stop Server" and
// deactivate can end them even when their agent is not connected. After USR2 a launch has a second
// master (forked by the first, in the task's process group): it is followed too, so a stop or a window
// close never leaves it serving on its own.
import * as vscode from 'vscode';
import { GunicornMasters } from '../launch/masters';
import { TASK_TYPE } from './gunicornTask';
import { log } from './log';
import { notify } from './notify';

export class LaunchedServers implements vscode.Disposable {
  /** Per task: the master it started (its process group's leader) and those re-executed from it. */
  private readonly masters = new Map<vscode.TaskExecution, GunicornMasters>();
  private readonly waiters = new Map<vscode.TaskExecution, (pid: number | undefined) => void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.tasks.onDidStartTaskProcess((e) => {
        if (e.execution.task.definition.type !== TASK_TYPE) return;
        // ProcessExecution runs the interpreter itself, so this is the Gunicorn master's pid.
        this.masters.set(e.execution, new GunicornMasters(e.processId));
        log().info(`Gunicorn "${e.execution.task.name}" started, master pid ${e.processId}`);
        this.waiters.get(e.execution)?.(e.processId);
        this.waiters.delete(e.execution);
      }),
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== TASK_TYPE) return;
        const masters = this.masters.get(e.execution);
        const pid = masters?.group;
        // A new master (USR2) serves on after the task's one exited: keep following it.
        if (masters && masters.running().length === 0 && masters.discover().length === 0) this.masters.delete(e.execution);
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
    const known = this.masters.get(execution)?.group;
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

  /** True for a master this window launched, or one re-executed from it (a new master after USR2). */
  has(pid: number): boolean {
    return [...this.masters.values()].some((m) => m.running().includes(pid) || m.follow(pid));
  }

  /** Every master still running that this window launched or follows. */
  all(): number[] {
    return [...this.masters.values()].flatMap((m) => m.running());
  }

  /** SIGTERM, Gunicorn's graceful stop (a terminal's SIGHUP would only reload it), to `pid` and every other
   * master of its launch: after USR2 both the old and the new master serve. */
  terminate(pid: number): boolean {
    const launch = [...this.masters.values()].find((m) => m.running().includes(pid) || m.follow(pid));
    if (launch) return launch.stop('SIGTERM').length > 0;
    return signal(pid, 'SIGTERM');
  }

  /** Stops every master this window started and waits (bounded) until they are gone. */
  async stopAll(timeoutMs = 4000): Promise<void> {
    for (const m of this.masters.values()) m.discover();
    const pids = this.all();
    if (pids.length === 0) return;
    log().info(`Stopping Gunicorn masters ${pids.join(', ')}`);
    for (const m of this.masters.values()) m.stop('SIGTERM');
    const deadline = Date.now() + timeoutMs;
    // running(), not kill(pid, 0): a re-executed master orphaned by its parent may stay a zombie.
    while (Date.now() < deadline && this.all().length > 0) await new Promise((r) => setTimeout(r, 100));
    for (const pid of this.all()) {
      // Graceful stop did not finish in time (a busy worker): don't leave the server behind the window.
      log().warn(`Gunicorn master ${pid} still running after ${timeoutMs} ms; sending SIGQUIT`);
      signal(pid, 'SIGQUIT');
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}
