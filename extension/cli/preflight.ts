// Checks Gunicorn's arguments before the hub starts, so the usual mistakes (no app, a module that is not
// there, a port already taken, -D) get one `gunicorn-live:` line and exit 2 instead of Gunicorn's
// tracebacks and retries; and names what happened when Gunicorn still exits early.
//
// The arguments are read by Gunicorn's own parser in the chosen interpreter: server-agent/launcher/preflight.py
// (tested with the agent suite) prints what it learnt as one JSON line; the sockets are tried here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP, createServer } from 'node:net';
import type { Hub } from '../hub/hub';
import { PREFLIGHT_PROBE } from '../launch/paths';
import { CliError } from './errors';

export interface ProbeBind {
  bind: string;
  source: 'command line' | 'GUNICORN_CMD_ARGS' | 'config' | 'default';
  host?: string;
  port?: number;
  error?: string;
}

/** What the probe learnt; every field is optional so an older or newer probe never breaks the CLI. */
export interface ProbeReport {
  /** -h/--help/-v/--version: Gunicorn prints and exits; nothing to check. */
  passthrough?: boolean;
  /** Gunicorn's parser or settings refused the arguments (argparse's or the setting's message). */
  error?: string;
  daemon?: boolean;
  /** The first positional argument, as Gunicorn takes it. */
  app?: string | null;
  paste?: boolean;
  /** The binds Gunicorn will listen on (parsed by gunicorn.util.parse_address) and where they come from;
   * left out when only running the config file could tell. */
  binds?: ProbeBind[];
  /** $PORT, which makes Gunicorn's default bind 0.0.0.0:$PORT. */
  portVar?: string;
  reuseport?: boolean;
  /** The user's config file (as the shim will load it): missing, or what its text says. */
  config?: { path: string; missing?: boolean; opaque?: boolean; wsgiApp?: boolean; daemon?: boolean; reusePort?: boolean; paths?: boolean } | null;
  /** The app module looked up along the sys.path Gunicorn's workers will have. */
  module?: { name: string; missing: string; dirs: string[]; hint?: string } | null;
}

/** Asks the interpreter's Gunicorn how it reads these arguments; null when the probe itself could not run. */
export function probeGunicornArgs(python: string, gunicornArgs: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ProbeReport | null {
  if (!existsSync(PREFLIGHT_PROBE)) {
    console.error(`gunicorn-live: warning: ${PREFLIGHT_PROBE} is missing, so Gunicorn's arguments are not checked first`);
    return null;
  }
  const r = spawnSync(python, [PREFLIGHT_PROBE, ...gunicornArgs], { cwd, env, encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ProbeReport;
  } catch {
    return null;
  }
}

const DAEMON = 'run cannot follow a daemonized Gunicorn (-D/--daemon): drop it, or start the hub with `gunicorn-live serve` '
  + 'and start Gunicorn yourself with the GUNICORN_LIVE_URL, GUNICORN_LIVE_TOKEN and PYTHONPATH it prints';

/** The problems a report shows that need no socket, as the one line to print; null when none. */
export function argumentProblem(report: ProbeReport): string | null {
  if (report.passthrough) return null;
  if (report.error) return `Gunicorn refused its arguments: ${report.error}`;
  const config = report.config ?? null;
  if (report.daemon || config?.daemon) return DAEMON;
  if (config?.missing) return `no config file ${config.path}`;
  for (const b of report.binds ?? []) if (b.error) return `${bindName(b, report)}: ${b.error}`;
  const appFromConfig = config !== null && (config.opaque || config.wsgiApp);
  if (!report.app && !report.paste && !appFromConfig) return 'no app: give Gunicorn a WSGI_APP, e.g. app:app';
  const m = report.module;
  if (m && report.app) {
    const hint = m.hint ? `; did you mean '${m.hint}'?` : '';
    return `no module named '${m.missing}' (from the app argument '${report.app}', looked in ${m.dirs.join(', ')})${hint}`;
  }
  return null;
}

/** Listens on the address for a moment, the way Gunicorn will; the error code, or null when it is free. */
export async function tryListen(host: string, port: number): Promise<string | null> {
  let address = host === '' ? '0.0.0.0' : host;
  // Gunicorn binds a name with an IPv4 socket (IPv6 only for a literal address).
  if (isIP(address) === 0) address = (await lookup(address, { family: 4 }).catch(() => null))?.address ?? '';
  if (!address) return null; // Unresolvable: Gunicorn says so itself.
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** A bind as the user would recognise it: the option they gave, their config file, or Gunicorn's default. */
export function bindName(b: ProbeBind, report: ProbeReport): string {
  if (b.source === 'GUNICORN_CMD_ARGS') return `--bind ${b.bind} (from GUNICORN_CMD_ARGS)`;
  if (b.source === 'config') return `bind ${b.bind} (from ${report.config?.path ?? 'the config file'})`;
  if (b.source === 'default') return `Gunicorn's default bind ${b.bind}${report.portVar !== undefined ? ' (from $PORT)' : ''}`;
  return `--bind ${b.bind}`;
}

/** The TCP binds Gunicorn will use that cannot be listened on, as the one line to print; null when all are free. */
export async function bindProblem(report: ProbeReport): Promise<string | null> {
  // SO_REUSEPORT lets Gunicorn share a port that a plain listen here would call taken.
  if (report.reuseport || report.config?.reusePort) return null;
  for (const b of report.binds ?? []) {
    if (b.host === undefined || !b.port) continue; // unix:, fd:// and port 0 need no check.
    const code = await tryListen(b.host, b.port);
    const name = bindName(b, report);
    const another = b.source === 'default' ? 'give Gunicorn another with --bind HOST:PORT' : 'pick another port';
    if (code === 'EADDRINUSE') return `${name} is already in use; ${another}`;
    if (code === 'EADDRNOTAVAIL') return `${name}: no such address on this machine`;
    if (code === 'EACCES') return `${name}: not allowed to listen on port ${b.port} (ports below 1024 need privileges)`;
  }
  return null;
}

/** Throws a CliError (exit 2) for arguments Gunicorn would fail on; passes when the probe cannot tell. */
export async function preflight(python: string, gunicornArgs: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const report = probeGunicornArgs(python, gunicornArgs, cwd, env);
  if (!report) return;
  const problem = argumentProblem(report) ?? (report.passthrough ? null : await bindProblem(report));
  if (problem) throw new CliError(problem);
}

/** Whether an agent has said hello to this hub: a server that never did failed while starting. */
export function watchHello(hub: Hub): () => boolean {
  let seen = false;
  hub.store.once('server', () => (seen = true));
  return () => seen;
}

/** The line that ends an early or failed exit, so the last thing printed says what happened; null for none. */
export function exitSummary(code: number, helloSeen: boolean): string | null {
  if (code === 3) return 'Gunicorn exited (3) before its workers booted: usually the app failed to import; its traceback is above';
  if (code === 4) return 'Gunicorn exited (4): it could not load the app; its message above says why';
  if (code !== 0 && !helloSeen) return `Gunicorn exited (${code}) before it started serving; its messages above say why`;
  return null;
}
