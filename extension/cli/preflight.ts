// Checks Gunicorn's arguments before the hub starts, so the usual mistakes (no app, a module that is not
// there, a port already taken, -D) get one `gunicorn-live:` line and exit 2 instead of Gunicorn's
// tracebacks and retries; and names what happened when Gunicorn still exits early.
//
// The arguments are read by Gunicorn's own parser in the chosen interpreter (a small probe below), not
// by a copy of its option table: abbreviations (`--bi`), `-b127.0.0.1:8000`, `--bind=…`, `--`,
// GUNICORN_CMD_ARGS and each version's options then mean exactly what they mean to Gunicorn. The probe
// never imports the user's app or config: it locates the module with import specs, as an import would.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP, createServer } from 'node:net';
import type { Hub } from '../hub/hub';
import { CliError } from './errors';

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
  /** `--bind` values from the command line and GUNICORN_CMD_ARGS, parsed by gunicorn.util.parse_address. */
  binds?: Array<{ bind: string; host?: string; port?: number; error?: string }>;
  reuseport?: boolean;
  /** The user's config file (as the shim will load it): missing, or what its text says. */
  config?: { path: string; missing?: boolean; opaque?: boolean; wsgiApp?: boolean; daemon?: boolean; reusePort?: boolean; paths?: boolean } | null;
  /** The app module looked up along the sys.path Gunicorn's workers will have. */
  module?: { name: string; missing: string; dirs: string[]; hint?: string } | null;
}

// Runs as `python -c PROBE ARG…`; prints one JSON line. Only Gunicorn and the stdlib are imported.
const PROBE = String.raw`
import io, json, os, re, sys
out = sys.stdout
report = {}
def done():
    out.write(json.dumps(report) + "\n")
    sys.exit(0)
class Refused(Exception):
    pass
def refuse(message):
    raise Refused(message)
from gunicorn import config as gconfig, util as gutil
cfg = gconfig.Config(prog="gunicorn")
parser = cfg.parser()
parser.error = refuse
argv = sys.argv[1:]
try:
    sys.stdout = io.StringIO()
    try:
        args = parser.parse_args(argv)
        env_args = parser.parse_args(cfg.get_cmd_args_from_env())
    finally:
        sys.stdout = out
except SystemExit:
    report["passthrough"] = True
    done()
except Refused as e:
    report["error"] = str(e)
    done()
cwd = os.getcwd()
try:
    for source in (env_args, args):
        for k, v in vars(source).items():
            if v is not None and k != "args" and k in cfg.settings:
                cfg.set(k.lower(), v)
except Exception as e:
    report["error"] = str(e)
    done()
report["daemon"] = bool(cfg.daemon)
report["app"] = args.args[0] if args.args else None
report["paste"] = bool(getattr(cfg, "paste", None))
report["reuseport"] = bool(getattr(cfg, "reuse_port", False))
binds = []
for bind in (args.bind or env_args.bind or []):
    try:
        address = gutil.parse_address(bind)
    except Exception as e:
        binds.append({"bind": bind, "error": str(e)})
        continue
    if isinstance(address, tuple):
        binds.append({"bind": bind, "host": address[0], "port": address[1]})
report["binds"] = binds
chdir = cfg.chdir
location = args.config
if location is None:
    for folder in (cwd, chdir):
        if os.path.exists(os.path.join(folder, "gunicorn.conf.py")):
            location = os.path.join(folder, "gunicorn.conf.py")
            break
config = None
if location is not None:
    config = {"path": location}
    if location.startswith("python:"):
        config["opaque"] = True
    else:
        path = os.path.abspath(location[len("file:"):] if location.startswith("file:") else location)
        config["path"] = path
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            config["missing"] = True
            text = ""
        config["opaque"] = bool(re.search(r"import\s+\*|\b(globals|vars|locals|exec|setattr|__import__)\s*\(|__dict__", text))
        config["wsgiApp"] = bool(re.search(r"\bwsgi_app\b", text))
        config["daemon"] = bool(re.search(r"^daemon\s*=\s*True\b", text, re.M))
        config["reusePort"] = bool(re.search(r"\breuse_port\b", text))
        config["paths"] = bool(re.search(r"\b(chdir|pythonpath|sys\.path|PYTHONPATH)\b", text))
report["config"] = config
app = report["app"]
module = app.split(":", 1)[0] if app else ""
if module and not report["paste"] and not (config and (config["opaque"] or config.get("paths") or config.get("missing"))):
    # sys.path as in Gunicorn's workers: --pythonpath (relative to --chdir), --chdir, then the
    # interpreter's own. Gunicorn runs from its launcher script (as from its console script), so the
    # launch directory is on sys.path only as the default --chdir.
    extra = [os.path.abspath(os.path.join(chdir, p)) for p in (cfg.pythonpath or "").split(",") if p]
    dirs = list(reversed(extra)) + [chdir]
    sys.path[:] = dirs + [p for p in sys.path[1:] if p not in dirs]
    import importlib.util, importlib.machinery
    try:
        parts = module.split(".")
        missing = None
        spec = importlib.util.find_spec(parts[0])
        for i in range(1, len(parts) + 1):
            if spec is None:
                missing = ".".join(parts[:i])
                break
            if i == len(parts):
                break
            # Look inside the package without running its __init__: its own locations, and the same
            # folder elsewhere on sys.path (pkgutil-style packages spread over several).
            places = list(spec.submodule_search_locations or [])
            if not places:
                spec = None
                continue
            places += [d for d in (os.path.join(p, *parts[:i]) for p in sys.path) if os.path.isdir(d) and d not in places]
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:i + 1]), places)
        if missing:
            found = {"name": module, "missing": missing, "dirs": list(reversed(extra)) + [chdir]}
            if module.endswith(".py") and os.path.exists(os.path.join(chdir, module)):
                found["hint"] = "%s:%s" % (module[:-3], app.split(":", 1)[1] if ":" in app else "application")
            report["module"] = found
    except Exception:
        pass
done()
`;

/** Asks the interpreter's Gunicorn how it reads these arguments; null when the probe itself could not run. */
export function probeGunicornArgs(python: string, gunicornArgs: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ProbeReport | null {
  const r = spawnSync(python, ['-c', PROBE, ...gunicornArgs], { cwd, env, encoding: 'utf8', timeout: 15000 });
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
  for (const b of report.binds ?? []) if (b.error) return `--bind ${b.bind}: ${b.error}`;
  const appFromConfig = config !== null && (config.opaque || config.wsgiApp);
  if (!report.app && !report.paste && !appFromConfig) return 'no app: give Gunicorn a WSGI_APP after --, e.g. app:app';
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

/** The explicit TCP binds that cannot be listened on, as the one line to print; null when all are free. */
export async function bindProblem(report: ProbeReport): Promise<string | null> {
  // SO_REUSEPORT lets Gunicorn share a port that a plain listen here would call taken.
  if (report.reuseport || report.config?.reusePort) return null;
  for (const b of report.binds ?? []) {
    if (b.host === undefined || !b.port) continue; // unix:, fd:// and port 0 need no check.
    const code = await tryListen(b.host, b.port);
    if (code === 'EADDRINUSE') return `--bind ${b.bind} is already in use; pick another port`;
    if (code === 'EADDRNOTAVAIL') return `--bind ${b.bind}: no such address on this machine`;
    if (code === 'EACCES') return `--bind ${b.bind}: not allowed to listen on port ${b.port} (ports below 1024 need privileges)`;
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
