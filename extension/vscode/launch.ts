// "Launch Instrumented Server" and "Launch with Debugger": interpreter, app, hub, then a `gunicorn` task
// (or a debugpy session). Nothing runs in an untrusted workspace: launching executes the project's code.
import * as vscode from 'vscode';
import { chooseApp, chooseFolder } from './appDetect';
import type { AppCandidate } from './appCandidates';
import { debugConfiguration, LAUNCH_MARKER } from './debugConfiguration';
import type { DebugLaunched } from './debugLaunched';
import { DEBUG_TYPE } from './debugpy';
import { describePlan, taskLaunchPlan } from './taskPlan';
import { definitionFor, launchContext, makeTask, TASK_TYPE, taskName } from './gunicornTask';
import type { HubHost } from './hubHost';
import type { LaunchedServers } from './launched';
import { reportExit, takeStderrCopy, wholeCopy } from './earlyExit';
import { errorLine, log } from './log';
import { notify } from './notify';
import { withFreePort } from './portChoice';
import { requiredModules } from './interpreterChoice';
import { hasDebugpy, interpreterForApp } from './python';
import { settings } from './settings';

/** What a caller (a test, another extension, a keybinding's args) may pass to the launch commands. */
export interface LaunchOverrides {
  app?: string;
  workerClass?: string;
  cwd?: string;
  /** Extra Gunicorn arguments, e.g. ["--bind", "127.0.0.1:8001"]. */
  args?: string[];
}

export interface LaunchResult {
  name: string;
  /** The Gunicorn master's pid (task launches). */
  pid?: number;
  /** Set when the configured port was taken and the launch moved to this bind. */
  bind?: string;
}

/** True when launching may go on; otherwise the user was told why and how to change it. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  log().warn('Launch refused: the workspace is not trusted (Restricted Mode)');
  notify('warning', 'Gunicorn Live: launching runs this workspace\'s code, so it is off in Restricted Mode. Trust the workspace to launch a server.', {
    'Manage Workspace Trust': () => vscode.commands.executeCommand('workbench.trust.manage'),
  });
  return false;
}

async function prepare(overrides: LaunchOverrides | undefined) {
  if (!requireTrust()) return undefined;
  const folder = await chooseFolder();
  if (!folder) {
    void vscode.window.showWarningMessage('Gunicorn Live: open a folder with your Python project to launch a server.');
    return undefined;
  }
  const app: AppCandidate | undefined = overrides?.app
    ? { app: overrides.app, config: '', workerClass: overrides.workerClass ?? '', cwd: overrides.cwd ?? '', label: overrides.app, detail: '' }
    : await chooseApp(folder);
  if (!app) return undefined;
  // The app first: its interpreter must import its framework and worker class too, not only Gunicorn.
  const interpreter = await interpreterForApp(folder, requiredModules(app));
  if (!interpreter) return undefined;
  return { folder, interpreter, python: interpreter.path, def: definitionFor(app, overrides?.args) };
}

export async function launchServer(hubs: HubHost, launched: LaunchedServers, openPanel: () => Promise<unknown>, overrides?: LaunchOverrides): Promise<LaunchResult | undefined> {
  const ready = await prepare(overrides);
  if (!ready) return undefined;
  const name = taskName(ready.def);
  const running = vscode.tasks.taskExecutions.find((e) => e.task.definition.type === TASK_TYPE && e.task.name === name
    && typeof e.task.scope === 'object' && e.task.scope.uri.toString() === ready.folder.uri.toString()
    // A stopped task stays listed until VS Code has seen its process end.
    && launched.isRunning(e));
  if (running) {
    // VS Code's own answer would be a bare "Select an instance to terminate" list.
    log().info(`"${name}" is already running (master pid ${launched.pidOf(running) ?? '?'})`);
    notify('info', `Gunicorn Live: "${name}" is already running.`, {
      Restart: async () => {
        await launched.end(running);
        return vscode.commands.executeCommand('gunicornLive.launch', overrides);
      },
      'Open Dashboard': () => openPanel(),
    });
    return undefined;
  }
  try {
    const hub = await hubs.get();
    const def = await withFreePort(ready.def, launchContext(ready.folder, ready.python, hub), name);
    const task = makeTask(ready.folder, def, ready.python, hub);
    const exec = task.execution as vscode.ProcessExecution;
    log().info(`Launching "${task.name}": ${[exec.process, ...exec.args].join(' ')}`);
    const execution = await vscode.tasks.executeTask(task);
    const pid = await launched.waitForPid(execution);
    if (pid === undefined) throw new Error(`Gunicorn "${task.name}" did not start; see its terminal`);
    // Its early exit was reported in Gunicorn's words (LaunchedServers): no panel waiting for an agent.
    if ((await launched.waitForServing(execution, pid)) === 'exited') return undefined;
    if (settings(ready.folder.uri).openDashboardOnLaunch) await openPanel();
    return { name: task.name, pid, bind: def.bind };
  } catch (err) {
    log().error(`Launch failed: ${errorLine(err)}`);
    void vscode.window.showErrorMessage(`Gunicorn Live: ${errorLine(err)}`);
    return undefined;
  }
}

/**
 * The debugger to use: the Python Debugger extension's `debugpy` type (it brings its own debugpy), else the
 * Python extension's older `python` type, else ours, which runs the interpreter's debugpy (debugpy.ts).
 */
function debuggerType(): string {
  if (vscode.extensions.getExtension('ms-python.debugpy')) return 'debugpy';
  if (vscode.extensions.getExtension('ms-python.python')) return 'python';
  return DEBUG_TYPE;
}

/**
 * Says why a debug launch's Gunicorn ended before a worker booted (a bad app, a config error), as the task
 * launch does: its session ends, and the copy of its stderr has the reason.
 */
function reportEarlyDebugExit(name: string, shown: string, stderrCopy: string, launched: LaunchedServers, debugLaunched: DebugLaunched): vscode.Disposable {
  const ended = vscode.debug.onDidTerminateDebugSession((session) => {
    if (session.name !== name || session.parentSession || !session.configuration[LAUNCH_MARKER]) return;
    ended.dispose();
    const stderr = takeStderrCopy(stderrCopy);
    const pid = debugLaunched.masterPidOf(session.id);
    log().info(`Debug "${name}" ended (master pid ${pid ?? '?'}${pid !== undefined && launched.hasServed(pid) ? ', served' : ''}); ${stderr.length} bytes of stderr copied`);
    // A server that served and was stopped, or a stop before anything went wrong, is no early exit.
    if ((pid !== undefined && launched.hasServed(pid)) || !wholeCopy(stderr) || !/\[(ERROR|CRITICAL)\]|Error|Exception/.test(stderr)) return;
    reportExit(shown, 'exited before it served', stderr, 'see its terminal');
  });
  return ended;
}

export async function launchWithDebugger(hubs: HubHost, launched: LaunchedServers, debugLaunched: DebugLaunched, openPanel: () => Promise<unknown>, overrides?: LaunchOverrides): Promise<LaunchResult | undefined> {
  const ready = await prepare(overrides);
  if (!ready) return undefined;
  const type = debuggerType();
  // Only our type runs the interpreter's debugpy; the Microsoft extensions bring their own.
  if (type === DEBUG_TYPE && !(await hasDebugpy(ready.interpreter, ready.folder))) return undefined;
  const hub = await hubs.get();
  const s = settings(ready.folder.uri);
  const ctx = launchContext(ready.folder, ready.python, hub, true);
  const plan = taskLaunchPlan(await withFreePort(ready.def, ctx, taskName(ready.def)), ctx);
  const name = `Gunicorn Live: ${taskName(ready.def)} (debug)`;
  log().info(`Debug launch (${type}): ${describePlan(plan)}`);
  const watch = ctx.stderrCopy ? reportEarlyDebugExit(name, `${taskName(ready.def)} (debug)`, ctx.stderrCopy, launched, debugLaunched) : undefined;
  const ok = await vscode.debug.startDebugging(ready.folder, debugConfiguration(type, name, ready.python, plan));
  if (!ok) {
    watch?.dispose();
    void vscode.window.showErrorMessage('Gunicorn Live: the debugger did not start; see the Debug Console.');
    return undefined;
  }
  if (s.openDashboardOnLaunch) await openPanel();
  return { name };
}
