// A real Debian Gunicorn with the agent, reporting to a hub running in this test process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startHub, type Hub, type HubOptions } from '../../extension/hub/hub';
import { gunicornCommand } from '../../extension/cli/launch';
import type { ServerView } from '../../extension/protocol/ui';
import { freePort } from './proc';

export const APPS = join(__dirname, '..', 'apps');

export interface RealServer {
  hub: Hub;
  gunicorn: ChildProcess;
  appPort: number;
  output(): string;
  /** Polls the store until `pick` returns a server. */
  waitFor(pick: (s: ServerView) => boolean, what: string, ms?: number): Promise<ServerView>;
  stop(): Promise<void>;
}

export async function startRealServer(gunicornArgs: string[], hubOptions: HubOptions = {}): Promise<RealServer> {
  const hub = await startHub({ otelEnv: null, ...hubOptions });
  const appPort = await freePort();
  const { command, args, env } = gunicornCommand({
    python: process.env.GUNICORN_LIVE_PYTHON ?? '/usr/bin/python3',
    gunicornArgs: ['--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, ...gunicornArgs],
    agentUrl: hub.agentUrl, token: hub.token, cwd: APPS,
  });
  const gunicorn = spawn(command, args, { cwd: APPS, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  gunicorn.stdout!.on('data', (d) => (output += d));
  gunicorn.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((r) => gunicorn.once('exit', r));
  return {
    hub, gunicorn, appPort,
    output: () => output,
    async waitFor(pick, what, ms = 20000) {
      const end = Date.now() + ms;
      for (;;) {
        const found = hub.store.servers().find(pick);
        if (found) return found;
        if (Date.now() > end || gunicorn.exitCode !== null) throw new Error(`timed out waiting for ${what}; Gunicorn said:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (gunicorn.exitCode === null) {
        try {
          process.kill(-gunicorn.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => { try { process.kill(-gunicorn.pid!, 'SIGKILL'); } catch { /* gone */ } }, 15000);
        await exited;
        clearTimeout(timer);
      }
      await hub.close();
    },
  };
}
