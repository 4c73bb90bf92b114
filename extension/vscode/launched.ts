// The Gunicorn masters this window started (as `gunicorn` tasks): their pids, so "Stop Server" and
// deactivate can end them even when their agent is not connected. After USR2 a launch has a second
// master (forked by the first, in the task's process group): it is followed too, so a stop or a window
// close never leaves it serving on its own.
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import type { ServerView } from '../protocol/ui';
import { STDERR_COPY_VAR } from '../launch/agentEnv';
import { GunicornMasters } from '../launch/masters';
import { TASK_TYPE } from './gunicornTask';
import type { HubHost } from './hubHost';
import { reportExit, takeStderrCopy, wholeCopy } from './earlyExit';
import { log } from './log';
import { notify } from './notify';

/** How a launch went once its master runs: a worker serves, Gunicorn exited first, or neither in time. */
export type LaunchOutcome = 'serving' | 'exited' | 'timeout';
/** Worker classes whose workers report idle/busy once they serve (the agent's scoreboard). */
const STATEFUL_CLASSES = ['sync', 'gthread', 'gunicorn.workers.sync.SyncWorker', 'gunicorn.workers.gthread.ThreadWorker'];
/** Samples with workers after which a worker class that reports no idle/busy state counts as serving. */
const SAMPLES_TO_SERVE = 3;

export class LaunchedServers implements vscode.Disposable {
  /** Per task: the master it started (its process group's leader) and those re-executed from it. */
  private readonly masters = new Map<vscode.TaskExecution, GunicornMasters>();
  private readonly waiters = new Map<vscode.TaskExecution, (pid: number | undefined) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Masters with a worker that booted (its agent says hello before any worker loaded the app). */
  private readonly serving = new Set<number>();
  /** Samples with workers per master, for worker classes that report no state. */
  private readonly samplesWithWorkers = new Map<number, number>();
  private readonly outcomeWaiters = new Map<vscode.TaskExecution, (outcome: LaunchOutcome) => void>();

  constructor(hubs: HubHost) {
    const watch = (hub: Hub) => {
      const onUpdate = (server: ServerView) => {
        const pid = server.masterPid;
        if (this.serving.has(pid) || server.workers.length === 0) return;
        const seen = (this.samplesWithWorkers.get(pid) ?? 0) + 1;
        this.samplesWithWorkers.set(pid, seen);
        // A worker with an idle/busy state has booted; one that fails to load the app never gets one. Only
        // classes that report no state (not sync, not gthread) count as serving after a few samples.
        const reportsState = STATEFUL_CLASSES.includes(server.workerClass);
        if (!server.workers.some((w) => w.state !== null || w.requests > 0) && (reportsState || seen < SAMPLES_TO_SERVE)) return;
        this.serving.add(pid);
        for (const [execution, done] of this.outcomeWaiters) {
          if (this.masters.get(execution)?.group === pid) done('serving');
        }
      };
      hub.store.on('update', onUpdate);
      this.disposables.push({ dispose: () => hub.store.off('update', onUpdate) });
    };
    if (hubs.current) watch(hubs.current);
    this.disposables.push(hubs.onDidStart(watch));
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
        const stderr = takeStderrCopy((e.execution.task.execution as vscode.ProcessExecution | undefined)?.options?.env?.[STDERR_COPY_VAR]);
        this.outcomeWaiters.get(e.execution)?.('exited');
        // Exit codes 1, 3 and 4 mean a bad config, a worker that could not boot or an app that would not load.
        if (e.exitCode && wholeCopy(stderr)) {
          const early = pid === undefined || !this.serving.has(pid);
          reportExit(name, early ? 'exited before it served' : `exited with code ${e.exitCode}`, stderr, `exit code ${e.exitCode ?? 'unknown'}`);
        } else if (e.exitCode) {
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

  /** Resolves once the task's agent said hello ('serving'), Gunicorn exited ('exited'), or at the timeout. */
  waitForServing(execution: vscode.TaskExecution, pid: number, timeoutMs = 30_000): Promise<LaunchOutcome> {
    if (this.serving.has(pid)) return Promise.resolve('serving');
    if (!this.masters.has(execution)) return Promise.resolve('exited');
    return new Promise((resolve) => {
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      const done = (outcome: LaunchOutcome) => {
        clearTimeout(timer);
        this.outcomeWaiters.delete(execution);
        resolve(outcome);
      };
      this.outcomeWaiters.set(execution, done);
    });
  }

  /** True once a worker of master `pid` booted (also for masters started under the debugger). */
  hasServed(pid: number): boolean {
    return this.serving.has(pid);
  }

  /** The master a task started, while it runs. */
  pidOf(execution: vscode.TaskExecution): number | undefined {
    return this.masters.get(execution)?.group;
  }

  /** True while a master of the task's launch runs. */
  isRunning(execution: vscode.TaskExecution): boolean {
    return (this.masters.get(execution)?.running().length ?? 0) > 0;
  }

  /** Stops a launch (SIGTERM to its masters) and resolves when its task ended (bounded). */
  async end(execution: vscode.TaskExecution, timeoutMs = 10_000): Promise<void> {
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { sub.dispose(); resolve(); }, timeoutMs);
      const sub = vscode.tasks.onDidEndTask((e) => {
        if (e.execution !== execution) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
    const pid = this.pidOf(execution);
    if (pid === undefined || !this.terminate(pid)) execution.terminate();
    await ended;
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
