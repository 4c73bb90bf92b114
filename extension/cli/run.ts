// `gunicorn-live run`: the hub, then Gunicorn with the agent; stops both cleanly and exits with
// Gunicorn's exit status. After USR2 it follows the new master: a stop reaches every master still
// serving, and the CLI runs until the last of them has exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { startHub, type Hub } from '../hub/hub';
import type { ServerView } from '../protocol/ui';
import { CliError, describeListenError } from './errors';
import { hubOptions, printHubLines, type HubFlags } from './hubOptions';
import { instrumentedGunicorn } from '../launch/commandLine';
import { GunicornMasters } from '../launch/masters';
import { WEBVIEW_DIR } from '../launch/paths';
import { exitSummary, preflight, watchHello } from './preflight';
import { findPython, PythonNotFound } from './python';

export interface RunFlags extends HubFlags {
  python?: string;
}

export interface RunningServer {
  hub: Hub;
  gunicorn: ChildProcess;
  /** The master started here and those it re-executes on USR2. */
  masters: GunicornMasters;
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
    throw new CliError("no Gunicorn arguments: give them after run's own options, e.g. `gunicorn-live run -w 2 app:app`");
  }
  const stops = new StopSignals();
  let python;
  try {
    python = findPython(flags.python);
  } catch (error) {
    if (error instanceof PythonNotFound) throw new CliError(error.message);
    throw error;
  }
  console.log(`python: ${python.path} (gunicorn ${python.gunicornVersion})`);
  try {
    await preflight(python.path, gunicornArgs, cwd);
  } catch (error) {
    throw misplacedRunOption(error, gunicornArgs);
  }
  const hub = await startHubFromFlags(flags);
  printHubLines(hub);

  const { command, args, env } = instrumentedGunicorn({ python: python.path, gunicornArgs, agentUrl: hub.agentUrl, token: hub.token, cwd });
  // Its own process group: a terminal's Ctrl-C reaches only us, and we ask Gunicorn for a graceful stop.
  const gunicorn = spawn(command, args, { cwd, env, stdio: 'inherit', detached: true });
  const masters = new GunicornMasters(gunicorn.pid ?? -1);
  stops.attach(masters);
  // A new master (USR2) says hello with its pid: follow it, so that a stop reaches it and we wait for it.
  const onServer = (server: ServerView) => {
    if (masters.follow(server.masterPid)) console.error(`gunicorn-live: following Gunicorn's new master ${server.masterPid} (USR2)`);
  };
  hub.store.on('server', onServer);
  const exited = new Promise<number>((resolve, reject) => {
    gunicorn.once('error', (error) => {
      void hub.close();
      reject(new CliError(`cannot start ${command}: ${error.message}`));
    });
    gunicorn.once('exit', (code, signal) => {
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      void outlived(masters, gunicorn.pid).then(async (reexecuted) => {
        hub.store.off('server', onServer);
        await hub.close();
        // A re-executed master is not our child: its exit status cannot be read.
        resolve(reexecuted ? 0 : status);
      });
    });
  });
  return { hub, gunicorn, masters, exited };
}

const RUN_OPTIONS = ['--host', '--port', '--token', '--allow-remote', '--python'];

/** Gunicorn refusing one of run's own options means it came after Gunicorn's arguments began: say so. */
function misplacedRunOption(error: unknown, gunicornArgs: string[]): unknown {
  if (!(error instanceof CliError) || !/unrecognized arguments/.test(error.message)) return error;
  const misplaced = gunicornArgs.find((a) => RUN_OPTIONS.includes(a.split('=')[0]));
  if (!misplaced) return error;
  return new CliError(`${error.message} (${misplaced.split('=')[0]} is run's own option: put it before Gunicorn's arguments)`);
}

/** After the master started here exits: waits while masters it re-executed (USR2) still serve. True if any did. */
async function outlived(masters: GunicornMasters, first: number | undefined): Promise<boolean> {
  let waited = false;
  for (;;) {
    if (masters.running().length === 0) masters.discover();
    const pids = masters.running();
    if (pids.length === 0) return waited;
    if (!waited) console.error(`gunicorn-live: Gunicorn's master ${first} exited; its new master ${pids.join(', ')} still serves (USR2), so gunicorn-live keeps running`);
    waited = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Ctrl-C, SIGTERM and SIGHUP, caught from the moment the CLI starts: a stop that came between printing
 * the hub's lines and spawning Gunicorn used to kill the CLI with the default action and leave Gunicorn
 * (its own process group) running. A stop asked for before Gunicorn runs reaches it as soon as it does.
 * First: graceful stop (TERM) to every master serving; second: quick stop (QUIT).
 */
class StopSignals {
  private asked = 0;
  private masters: GunicornMasters | undefined;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        this.asked += 1;
        this.send();
      });
    }
  }

  /** Gunicorn runs: stops reach its masters from now on, and one already asked for goes out now. */
  attach(masters: GunicornMasters): void {
    this.masters = masters;
    if (this.asked > 0) this.send();
  }

  private send(): void {
    if (!this.masters) return;
    const signal = this.asked === 1 ? 'SIGTERM' : 'SIGQUIT';
    if (this.masters.stop(signal).length > 0 && this.asked === 1) {
      console.error('gunicorn-live: stopping Gunicorn gracefully (Ctrl-C again to stop at once)…');
    }
  }
}

export async function run(flags: RunFlags, gunicornArgs: string[]): Promise<number> {
  const server = await startServer(flags, gunicornArgs);
  const helloSeen = watchHello(server.hub);
  const code = await server.exited;
  const summary = exitSummary(code, helloSeen());
  if (summary) console.error(`gunicorn-live: ${summary}`);
  return code;
}
