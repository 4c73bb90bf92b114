// The live parts the browser tests drive: `gunicorn-live run` (hub + real Gunicorn + agent), a second
// real Gunicorn reporting to the same hub (as `gunicorn-live serve` users attach one), plain HTTP
// requests, and the master's real children from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { instrumentedGunicorn } from '../../extension/launch/commandLine';
import { childrenOf, freePort } from '../integration/proc';

export { childrenOf, freePort };

export const ROOT = join(__dirname, '..', '..');
export const APPS = join(__dirname, '..', 'apps');

/** One GET; the status, or 0 when the server dropped the connection (a worker the master aborted). */
export function get(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

export async function until<T>(fn: () => Promise<T | undefined | false | null>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A token from the caller's environment would override the random one the CLI makes. */
function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { GUNICORN_LIVE_TOKEN: _ignored, ...rest } = env;
  return rest;
}

export interface RunningCli {
  dashboardUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** `gunicorn-live run --port 0 -- <gunicornArgs>` until it prints its dashboard line. */
export async function startCli(gunicornArgs: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const cli = spawn(process.execPath, [join(ROOT, 'bin', 'gunicorn-live.js'), 'run', '--port', '0', '--', ...gunicornArgs],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...withoutToken(process.env), ...env } });
  let output = '';
  cli.stdout!.on('data', (d) => (output += d));
  cli.stderr!.on('data', (d) => (output += d));
  const stop = () => stopChild(cli, () => cli.kill('SIGINT'), () => cli.kill('SIGKILL'));
  try {
    const dashboardUrl = await until(async () => {
      if (cli.exitCode !== null || cli.signalCode !== null) throw new Error(`the CLI exited (${cli.exitCode}):\n${output}`);
      return output.match(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)$/m)?.[1];
    }, 'the dashboard line', 20_000);
    return { dashboardUrl, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Another real Gunicorn whose agent reports to the hub behind `dashboardUrl`, in its own process group. */
export function startAttached(dashboardUrl: string, gunicornArgs: string[]): { child: ChildProcess; stop(): Promise<void> } {
  const url = new URL(dashboardUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const { command, args, env } = instrumentedGunicorn({
    python: process.env.GUNICORN_LIVE_PYTHON ?? '/usr/bin/python3',
    gunicornArgs,
    agentUrl: `ws://${url.host}/ws/agent`,
    token,
    cwd: APPS,
  }, withoutToken(process.env));
  const child = spawn(command, args, { cwd: APPS, env, stdio: 'ignore', detached: true });
  const group = (signal: NodeJS.Signals) => () => process.kill(-child.pid!, signal);
  return { child, stop: () => stopChild(child, group('SIGTERM'), group('SIGKILL')) };
}

async function stopChild(child: ChildProcess, politely: () => void, forcibly: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    politely();
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      forcibly();
    } catch {
      // gone meanwhile
    }
  }, 30_000);
  await exited;
  clearTimeout(timer);
}
