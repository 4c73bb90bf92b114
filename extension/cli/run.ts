// `gunicorn-live run`: the hub, then Gunicorn with the agent; stops both cleanly and exits with
// Gunicorn's exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { startHub, type Hub } from '../hub/hub';
import { CliError, describeListenError } from './errors';
import { hubOptions, printHubLines, type HubFlags } from './hubOptions';
import { gunicornCommand } from './launch';
import { WEBVIEW_DIR } from './paths';
import { findPython, PythonNotFound } from './python';

export interface RunFlags extends HubFlags {
  python?: string;
}

export interface RunningServer {
  hub: Hub;
  gunicorn: ChildProcess;
  /** Resolves with Gunicorn's exit status once it and the hub have stopped. */
  exited: Promise<number>;
}

export async function startHubFromFlags(flags: HubFlags): Promise<Hub> {
  const options = hubOptions(flags);
  try {
    return await startHub({ ...options, staticDir: WEBVIEW_DIR });
  } catch (error) {
    throw describeListenError(error, options.host, options.port);
  }
}

export async function startServer(flags: RunFlags, gunicornArgs: string[], cwd = process.cwd()): Promise<RunningServer> {
  if (gunicornArgs.length === 0) {
    throw new CliError('no Gunicorn arguments: put them after --, e.g. `gunicorn-live run -- -w 2 app:app`');
  }
  let python;
  try {
    python = findPython(flags.python);
  } catch (error) {
    if (error instanceof PythonNotFound) throw new CliError(error.message);
    throw error;
  }
  console.log(`python: ${python.path} (gunicorn ${python.gunicornVersion})`);
  const hub = await startHubFromFlags(flags);
  printHubLines(hub);

  const { command, args, env } = gunicornCommand({ python: python.path, gunicornArgs, agentUrl: hub.agentUrl, token: hub.token, cwd });
  // Its own process group: a terminal's Ctrl-C reaches only us, and we ask Gunicorn for a graceful stop.
  const gunicorn = spawn(command, args, { cwd, env, stdio: 'inherit', detached: true });
  const exited = new Promise<number>((resolve, reject) => {
    gunicorn.once('error', (error) => {
      void hub.close();
      reject(new CliError(`cannot start ${command}: ${error.message}`));
    });
    gunicorn.once('exit', (code, signal) => {
      void hub.close().then(() => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  });
  return { hub, gunicorn, exited };
}

/** First Ctrl-C or SIGTERM: graceful stop (TERM). A second one: quick stop (QUIT). */
export function forwardStopSignals(gunicorn: ChildProcess): void {
  let asked = 0;
  const stop = () => {
    asked += 1;
    if (gunicorn.exitCode !== null || gunicorn.signalCode !== null) return;
    if (asked === 1) console.error('gunicorn-live: stopping Gunicorn gracefully (Ctrl-C again to stop at once)…');
    gunicorn.kill(asked === 1 ? 'SIGTERM' : 'SIGQUIT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

export async function run(flags: RunFlags, gunicornArgs: string[]): Promise<number> {
  const server = await startServer(flags, gunicornArgs);
  forwardStopSignals(server.gunicorn);
  const code = await server.exited;
  if (code === 3 || code === 4) {
    console.error(`gunicorn-live: Gunicorn could not ${code === 3 ? 'boot its workers' : 'load the app'} (exit ${code}); its own messages above say why`);
  }
  return code;
}
