// Where a launched Gunicorn will listen, and a free port when that one is taken: a server already on
// 8000 would otherwise make Gunicorn retry for five seconds and exit with "Connection in use".
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Gunicorn's own default bind. */
export const DEFAULT_BIND = '127.0.0.1:8000';
/** Ports tried after a taken one (8001, 8002 …). */
const PORTS_TRIED = 50;

export interface TcpBind {
  host: string;
  port: number;
}

/** The binds named on a Gunicorn command line (`-b X`, `-bX`, `--bind X`, `--bind=X`), in order. */
export function bindsIn(args: readonly string[]): string[] {
  const binds: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (a === '-b' || a === '--bind') binds.push(args[++i] ?? '');
    else if (a.startsWith('--bind=')) binds.push(a.slice('--bind='.length));
    else if (a.startsWith('-b') && a.length > 2 && !a.startsWith('--')) binds.push(a.slice(2));
  }
  return binds.filter(Boolean);
}

/** A literal `bind = "…"` (or the first of `bind = ["…", …]`) in a Gunicorn config file; null when none. */
export function bindInConfig(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return /^bind\s*=\s*[[(]?\s*(["'])([^"']+)\1/m.exec(text)?.[2] ?? null;
}

/** True when the config sets `bind` from an expression (an environment variable, a computed port). */
export function configComputesBind(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return /^bind\s*=/m.test(text) && bindInConfig(file) === null;
}

// Runs the config the way Gunicorn does (a module executed for its names) and prints its `bind` as JSON.
const BIND_OF_CONFIG = `
import json, runpy, sys
b = runpy.run_path(sys.argv[1]).get("bind")
print(json.dumps([b] if isinstance(b, str) else [x for x in b if isinstance(x, str)] if isinstance(b, (list, tuple)) else None))
`;

/**
 * The binds a config computes, from `python` running it in `cwd` (Gunicorn runs it anyway a moment later,
 * with the same interpreter): null when it fails or names none.
 */
export function bindsOfConfig(python: string, file: string, cwd: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    execFile(python, ['-c', BIND_OF_CONFIG, file], { cwd, timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(null);
      try {
        const binds = JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as string[] | null;
        resolve(binds && binds.length > 0 ? binds : null);
      } catch {
        resolve(null);
      }
    });
  });
}

/** `host:port`, `[::1]:port`, `host` (port 8000) or `:port`; null for `unix:`/`fd://` binds. */
export function parseBind(bind: string): TcpBind | null {
  if (bind.startsWith('unix:') || bind.startsWith('fd://') || bind.startsWith('/')) return null;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(bind);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 8000 };
  const m = /^([^:]*)(?::(\d+))?$/.exec(bind);
  if (!m) return null;
  return { host: m[1] || '0.0.0.0', port: m[2] ? Number(m[2]) : 8000 };
}

export function formatBind(b: TcpBind): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

/** True when something listens on `b` (listening there ourselves fails with EADDRINUSE). */
export function portTaken(b: TcpBind): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen({ host: b.host, port: b.port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** The first free port after `b`'s on the same host (null when none of the next PORTS_TRIED is). */
export async function nextFreeBind(b: TcpBind): Promise<TcpBind | null> {
  for (let port = b.port + 1; port <= Math.min(65535, b.port + PORTS_TRIED); port++) {
    if (!(await portTaken({ host: b.host, port }))) return { host: b.host, port };
  }
  return null;
}
