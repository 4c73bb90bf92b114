// The `gunicorn` task type: Gunicorn runs as a VS Code task, so its output is in a terminal and a launch
// configuration can name it as `preLaunchTask` (a background task that is "ready" once a worker booted,
// see the `$gunicorn` problem matcher in package.json).
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import { detectInFolder, rememberedApp } from './appDetect';
import type { AppCandidate } from './appCandidates';
import { describePlan, taskLaunchPlan, type GunicornTaskDefinition, type LaunchContext } from './taskPlan';
import type { HubHost } from './hubHost';
import { log } from './log';
import { requiredModules } from './interpreterChoice';
import { resolveInterpreter } from './python';
import { settings } from './settings';

export const TASK_TYPE = 'gunicorn';
export const TASK_SOURCE = 'Gunicorn Live';
/** Only its `background` part works: it tells VS Code the task is ready (a launch.json preLaunchTask waits for
 * that). Its pattern matches nothing on purpose: a matcher cannot skip library frames or read the exception
 * line after a traceback, so exceptions reach the Problems panel from the agent instead (problems/). */
export const PROBLEM_MATCHER = '$gunicorn';

export function definitionFor(app: AppCandidate, args?: string[]): GunicornTaskDefinition {
  const def: GunicornTaskDefinition = { type: TASK_TYPE };
  if (app.app) def.app = app.app;
  if (app.config) def.config = app.config;
  if (app.workerClass) def.workerClass = app.workerClass;
  if (app.cwd) def.cwd = app.cwd;
  if (args && args.length > 0) def.args = args;
  return def;
}

export function taskName(def: GunicornTaskDefinition): string {
  return def.app || def.config || 'gunicorn.conf.py';
}

/** What a launch in `folder` takes from the settings (gunicornLive.*) and the hub. */
export function launchContext(folder: vscode.WorkspaceFolder, python: string, hub: Hub, debug = false): LaunchContext {
  const s = settings(folder.uri);
  return {
    python, folderPath: folder.uri.fsPath, agentUrl: hub.agentUrl, token: hub.token, debug,
    sampleInterval: s.sampleInterval, defaultWorkers: s.defaultWorkers, defaultTimeout: s.defaultTimeout,
    bind: s.bind || undefined, args: s.args,
    // Read when the task ends before its agent said hello (LaunchedServers), then deleted.
    stderrCopy: join(tmpdir(), `gunicorn-live-stderr-${randomBytes(6).toString('hex')}.log`),
  };
}

/** A runnable task for `def` in `folder`, pointed at `hub`. */
export function makeTask(folder: vscode.WorkspaceFolder, def: GunicornTaskDefinition, python: string, hub: Hub): vscode.Task {
  const plan = taskLaunchPlan(def, launchContext(folder, python, hub));
  log().debug(`Task "${taskName(def)}": ${describePlan(plan)}`);
  const execution = new vscode.ProcessExecution(plan.command, plan.args, { cwd: plan.cwd, env: plan.env });
  const task = new vscode.Task(def, folder, taskName(def), TASK_SOURCE, execution, PROBLEM_MATCHER);
  // Gunicorn never "finishes": VS Code must treat it as a background task.
  task.isBackground = true;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

export class GunicornTaskProvider implements vscode.TaskProvider {
  constructor(private readonly hubs: HubHost) {}

  /** One task per app found (or the remembered one) in each trusted folder. */
  async provideTasks(): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const remembered = rememberedApp(folder);
      const apps = remembered ? [remembered] : await detectInFolder(folder);
      if (apps.length === 0) continue;
      const hub = await this.hubs.get();
      // Each app's interpreter imports its own framework (answers are cached, so this stays cheap).
      for (const app of apps) tasks.push(makeTask(folder, definitionFor(app), (await resolveInterpreter(folder, requiredModules(app))).path, hub));
    }
    return tasks;
  }

  /** A `gunicorn` task written in tasks.json: fill in the command line. */
  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    const def = task.definition as GunicornTaskDefinition;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const [hub, python] = await Promise.all([this.hubs.get(), resolveInterpreter(folder)]);
    const resolved = makeTask(folder, def, python.path, hub);
    // VS Code requires the same definition object back for tasks.json tasks.
    const out = new vscode.Task(def, folder, task.name, TASK_SOURCE, resolved.execution, task.problemMatchers.length ? task.problemMatchers : PROBLEM_MATCHER);
    out.isBackground = true;
    return out;
  }
}
