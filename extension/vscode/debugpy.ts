// Debugging without the Python Debugger extension (ms-python.debugpy): the interpreter's own debugpy
// (pip's, or Debian's python3-debugpy) ships a Debug Adapter Protocol server, `python -m debugpy.adapter`.
// The debug type `gunicorn-live-debugpy` runs it, so a Gunicorn launched for debugging (or anything a
// launch.json names with that type) stops at breakpoints with no other extension installed.
import * as vscode from 'vscode';
import { errorLine, log } from './log';
import { hasDebugpy, resolveInterpreter, type Interpreter } from './python';

export const DEBUG_TYPE = 'gunicorn-live-debugpy';

/** The first element of debugpy's `python` property (a path, or a path plus interpreter options). */
function configuredPython(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() ? first.trim() : undefined;
}

async function interpreterFor(config: vscode.DebugConfiguration, folder?: vscode.WorkspaceFolder): Promise<Interpreter> {
  const python = configuredPython(config.python);
  return python ? { path: python, source: 'launch configuration' } : resolveInterpreter(folder);
}

/** Where the adapter comes from: started from the interpreter, or reached on a port it already listens on. */
class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const c = session.configuration;
    // `connect`: a running adapter accepts clients there (debugpy.listen() in the app, or the parent
    // session's adapter for a forked worker, see attachSubprocess).
    const connect = c.connect as { host?: unknown; port?: number | string } | undefined;
    if (c.request === 'attach' && connect && typeof connect === 'object' && connect.port) {
      const host = typeof connect.host === 'string' ? connect.host : '127.0.0.1';
      log().info(`Debug "${session.name}": connecting to debugpy at ${host}:${connect.port}`);
      return new vscode.DebugAdapterServer(Number(connect.port), host);
    }
    const python = (await interpreterFor(c, session.workspaceFolder)).path;
    log().info(`Debug "${session.name}": ${python} -m debugpy.adapter`);
    return new vscode.DebugAdapterExecutable(python, ['-m', 'debugpy.adapter']);
  }
}

/**
 * F5 with no launch.json and this debugger picked: launch Gunicorn the way the command does. A launch.json
 * configuration is checked for debugpy in its interpreter first, so a missing module is reported with
 * its install command rather than as a crashed adapter.
 */
class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      void vscode.commands.executeCommand('gunicornLive.launchWithDebugger');
      // undefined: VS Code starts nothing itself (null would open launch.json).
      return undefined;
    }
    return config;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (config.request === 'attach' && config.connect) return config;
    return (await hasDebugpy(await interpreterFor(config, folder), folder)) ? config : undefined;
  }
}

/**
 * Gunicorn's workers are forked children of the master. debugpy announces each one with a custom
 * `debugpyAttach` event whose body is an attach configuration; the client must start that session (the
 * Python Debugger extension does it for its type), or the worker waits for its debugger forever.
 */
async function attachSubprocess(e: vscode.DebugSessionCustomEvent): Promise<void> {
  if (e.event !== 'debugpyAttach' || e.session.type !== DEBUG_TYPE) return;
  const body = e.body as vscode.DebugConfiguration;
  const config: vscode.DebugConfiguration = { ...body, type: DEBUG_TYPE, request: 'attach', name: body.name ?? 'Subprocess' };
  log().info(`Debug "${e.session.name}": attaching to ${config.name}`);
  try {
    const ok = await vscode.debug.startDebugging(e.session.workspaceFolder, config, {
      parentSession: e.session,
      // Stopping or restarting the Gunicorn session takes its workers' sessions with it.
      lifecycleManagedByParent: true,
      consoleMode: vscode.DebugConsoleMode.MergeWithParent,
    });
    if (!ok) log().error(`Debug "${e.session.name}": could not attach to ${config.name}`);
  } catch (err) {
    log().error(`Debug "${e.session.name}": attaching to ${config.name} failed: ${errorLine(err)}`);
  }
}

export function registerDebugpy(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => void attachSubprocess(e)),
  );
}
