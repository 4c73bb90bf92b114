// Which Python runs Gunicorn. `gunicornLive.pythonPath`, when set, is the user's explicit answer. Else the
// interpreters users have are found in this order — the workspace's virtual environments (.venv, venv, env,
// any folder with a pyvenv.cfg), the Python extension's active one, `python3` and `python` on PATH — and
// the first that imports Gunicorn and the app's own packages serves it (interpreterChoice.ts).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { chooseInterpreter, describeProbe, type FoundInterpreter, type InterpreterSource, lacks, moduleLabel } from './interpreterChoice';
import { probeInterpreter, workspaceVenvs } from './interpreterProbe';
import { errorLine, log } from './log';
import { notify, type Actions } from './notify';
import { settings } from './settings';

export interface Interpreter {
  path: string;
  source: InterpreterSource;
}

const PYTHON_EXTENSION = 'ms-python.python';
export const SELECT_INTERPRETER = 'gunicornLive.selectInterpreter';

/** The active environment of ms-python.python for this folder, if that extension is installed. */
async function fromPythonExtension(folder?: vscode.WorkspaceFolder): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION)) return undefined;
  try {
    // Imported lazily: the module activates ms-python.python, which only makes sense when it exists.
    const { PythonExtension } = await import('@vscode/python-extension');
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(folder?.uri);
    const env = await api.environments.resolveEnvironment(active);
    return env?.executable.uri?.fsPath ?? active.path;
  } catch (err) {
    log().warn(`Python extension did not give an interpreter: ${errorLine(err)}`);
    return undefined;
  }
}

/** Every interpreter found for `folder` (not the setting), in preference order, each asked about `modules`. */
export async function findInterpreters(folder: vscode.WorkspaceFolder | undefined, modules: string[]): Promise<FoundInterpreter[]> {
  const named: Interpreter[] = [];
  const add = (path: string | undefined, source: InterpreterSource) => {
    if (path && !named.some((n) => n.path === path)) named.push({ path, source });
  };
  if (folder?.uri.scheme === 'file') for (const venv of workspaceVenvs(folder.uri.fsPath)) add(venv, 'workspace venv');
  add(await fromPythonExtension(folder), 'Python extension');
  add('python3', 'PATH');
  add('python', 'PATH');
  const probes = await Promise.all(named.map((n) => probeInterpreter(n.path, modules)));
  return named.map((n, i) => ({ ...n, probe: probes[i] }));
}

/**
 * The interpreter for `folder`: the setting when set, else the first found that imports `modules`, else
 * the closest one (the caller's probe then says what it lacks).
 */
export async function resolveInterpreter(folder?: vscode.WorkspaceFolder, modules: string[] = ['gunicorn']): Promise<Interpreter> {
  const configured = settings(folder?.uri).pythonPath;
  if (configured) return { path: configured, source: 'gunicornLive.pythonPath' };
  const choice = chooseInterpreter(await findInterpreters(folder, modules), modules);
  const found = choice.chosen ?? choice.closest;
  return found ? { path: found.path, source: found.source } : { path: 'python3', source: 'PATH' };
}

/** A module's version as that interpreter imports it, or the reason it cannot. */
export function moduleVersion(python: string, module: string): Promise<{ version: string } | { error: string }> {
  return new Promise((resolve) => {
    const script = `import ${module}; print(getattr(${module}, "__version__", "?"))`;
    execFile(python, ['-c', script], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ version: stdout.trim() });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ error: `${python} was not found` });
      const last = stderr.trim().split('\n').pop() ?? err.message;
      resolve({ error: last });
    });
  });
}

export const gunicornVersion = (python: string) => moduleVersion(python, 'gunicorn');

/** Python packages the extension may need, with Debian's name for each. */
const DEBIAN_PACKAGES = { gunicorn: 'python3-gunicorn', debugpy: 'python3-debugpy' } as const;
export type NeededPackage = keyof typeof DEBIAN_PACKAGES;

/** Debian/Ubuntu mark their system Python "externally managed": pip refuses, apt is the way there. */
export function installCommand(python: string, pkg: NeededPackage = 'gunicorn'): string {
  const systemPython = /^\/usr\/bin\/python3(\.\d+)?$/.test(python);
  const managed = systemPython && existsSync('/usr/lib') &&
    readdirSync('/usr/lib').some((d) => /^python3\.\d+$/.test(d) && existsSync(`/usr/lib/${d}/EXTERNALLY-MANAGED`));
  if (managed) return `sudo apt-get install -y ${DEBIAN_PACKAGES[pkg]}`;
  const quoted = /\s/.test(python) ? `"${python}"` : python;
  return `${quoted} -m pip install ${pkg}`;
}

/** The setting where it takes effect: this folder's (a remote window's User tab would not show it). */
export function openPythonPathSetting(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWorkspaceSettings', { query: 'gunicornLive.pythonPath' });
}

/** Actions that change the interpreter: our QuickPick of the ones found, and the setting itself. */
function changeActions(): Actions {
  return {
    'Select Interpreter…': () => vscode.commands.executeCommand(SELECT_INTERPRETER),
    'Open Workspace Settings': () => openPythonPathSetting(),
  };
}

/** Tells the user `pkg` is missing from `python`, with an action that types the install command. */
function reportMissing(pkg: NeededPackage, interpreter: Interpreter, error: string, why: string, folder?: vscode.WorkspaceFolder): void {
  log().error(`${pkg} is not importable by ${interpreter.path} (from ${interpreter.source}): ${error}`);
  const actions: Actions = {
    [`Install ${pkg}…`]: () => {
      // Typed, not run: the user sees the command and confirms it with Enter.
      const terminal = vscode.window.createTerminal({ name: `Install ${pkg}`, cwd: folder?.uri });
      terminal.show();
      terminal.sendText(installCommand(interpreter.path, pkg), false);
    },
    ...changeActions(),
  };
  notify('error', `Gunicorn Live: ${interpreter.path} (from ${interpreter.source}) cannot import ${pkg}${why}: ${error}`, actions);
}

/**
 * The interpreter that serves an app needing `modules` (gunicorn first, then the app's own packages).
 * When none fits, says so once, with actions that fix it, and returns undefined: gunicorn missing from
 * the interpreter that has the app's packages → "Install gunicorn…" into that one; the app's packages
 * missing everywhere → what each interpreter tried lacks.
 */
export async function interpreterForApp(folder: vscode.WorkspaceFolder | undefined, modules: string[]): Promise<Interpreter | undefined> {
  const configured = settings(folder?.uri).pythonPath;
  const found: FoundInterpreter[] = configured
    ? [{ path: configured, source: 'gunicornLive.pythonPath', probe: await probeInterpreter(configured, modules) }]
    : await findInterpreters(folder, modules);
  const choice = chooseInterpreter(found, modules);
  if (choice.chosen) {
    log().info(`Python: ${choice.chosen.path} (from ${choice.chosen.source}), ${describeProbe(choice.chosen.probe, modules)}`);
    return { path: choice.chosen.path, source: choice.chosen.source };
  }
  log().info(`Interpreters tried for ${modules.map(moduleLabel).join(', ')}: ${choice.tried.map((t) => `${t.found.path} (${t.found.source}): ${describeProbe(t.found.probe, modules)}`).join('; ')}`);
  const closest = choice.closest;
  if (!closest || closest.probe.error) {
    const first = closest ?? found[0];
    reportMissing('gunicorn', first, first.probe.error ?? 'it did not run', '', folder);
    return undefined;
  }
  const missing = lacks(closest.probe, modules);
  if (missing.length === 1 && missing[0] === 'gunicorn') {
    reportMissing('gunicorn', closest, `No module named 'gunicorn'`, '', folder);
    return undefined;
  }
  const tried = choice.tried.map((t) => `${t.found.path} (${t.found.probe.error ? t.found.probe.error : `no ${t.lacks.map(moduleLabel).join(', no ')}`})`).join('; ');
  log().error(`No interpreter imports ${modules.map(moduleLabel).join(' and ')}: ${tried}`);
  notify('error', `Gunicorn Live: no interpreter found imports ${modules.map(moduleLabel).join(' and ')} — tried ${tried}. Create the project's virtual environment (.venv) or pick an interpreter.`, changeActions());
  return undefined;
}

/** Interpreters seen importing debugpy (its adapter is started for every debug session). */
const withDebugpy = new Set<string>();

/** True when `interpreter` imports debugpy (our debug adapter runs from it); else the user is told how to add it. */
export async function hasDebugpy(interpreter: Interpreter, folder?: vscode.WorkspaceFolder): Promise<boolean> {
  if (withDebugpy.has(interpreter.path)) return true;
  const probe = await moduleVersion(interpreter.path, 'debugpy');
  if ('version' in probe) {
    log().info(`debugpy ${probe.version} in ${interpreter.path}`);
    withDebugpy.add(interpreter.path);
    return true;
  }
  reportMissing('debugpy', interpreter, probe.error, ' (debugging without the Python Debugger extension runs its adapter)', folder);
  return false;
}
