// Which Python runs Gunicorn: the Python extension's active environment, else `gunicornLive.pythonPath`,
// else `python3` on PATH (the order users expect: what they picked for the workspace wins).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { errorLine, log } from './log';
import { notify, type Actions } from './notify';
import { settings } from './settings';

export interface Interpreter {
  path: string;
  source: 'Python extension' | 'gunicornLive.pythonPath' | 'PATH' | 'launch configuration';
}

const PYTHON_EXTENSION = 'ms-python.python';

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

export async function resolveInterpreter(folder?: vscode.WorkspaceFolder): Promise<Interpreter> {
  const fromExtension = await fromPythonExtension(folder);
  if (fromExtension) return { path: fromExtension, source: 'Python extension' };
  const configured = settings(folder?.uri).pythonPath;
  if (configured) return { path: configured, source: 'gunicornLive.pythonPath' };
  return { path: 'python3', source: 'PATH' };
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
  };
  if (vscode.extensions.getExtension(PYTHON_EXTENSION)) actions['Select Interpreter'] = () => vscode.commands.executeCommand('python.setInterpreter');
  else actions['Set Python Path'] = () => vscode.commands.executeCommand('workbench.action.openSettings', 'gunicornLive.pythonPath');
  notify('error', `Gunicorn Live: ${interpreter.path} (from ${interpreter.source}) cannot import ${pkg}${why}: ${error}`, actions);
}

/**
 * Resolves the interpreter and checks it imports gunicorn. When it does not, says so once, with actions
 * that fix it, and returns undefined.
 */
export async function interpreterWithGunicorn(folder?: vscode.WorkspaceFolder): Promise<Interpreter | undefined> {
  const interpreter = await resolveInterpreter(folder);
  const probe = await gunicornVersion(interpreter.path);
  if ('version' in probe) {
    log().info(`Python: ${interpreter.path} (from ${interpreter.source}), Gunicorn ${probe.version}`);
    return interpreter;
  }
  reportMissing('gunicorn', interpreter, probe.error, '', folder);
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
