// What a Python interpreter can import, asked of the interpreter itself (no `vscode` import: tested in Node).
// One short process per interpreter answers for every module at once; the answer is kept until one of
// the interpreter's site-packages folders changes (a `pip install` there), so launches do not re-ask.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Probe {
  /** The interpreter as it was named (a venv's bin/python stays that, not the symlink's target). */
  path: string;
  /** Python's version, e.g. "3.11.2"; undefined when the interpreter did not run. */
  python?: string;
  /** Each asked module's version ("?" when it has no metadata), or null when it cannot be imported. */
  modules: Record<string, string | null>;
  /** Why the interpreter did not answer (not found, not Python). */
  error?: string;
}

interface Cached {
  probe: Probe;
  /** site-packages folders and their mtimes when probed. */
  stamps: Array<[string, number]>;
}

// find_spec says whether an import would find the module without running it (importing Django or a
// project's framework may have side effects); metadata names the distribution's version.
const SCRIPT = `
import importlib.util, json, site, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
DIST = {"flask": "Flask", "django": "Django", "fastapi": "fastapi", "uvicorn_worker": "uvicorn-worker"}
out = {"python": "%d.%d.%d" % sys.version_info[:3], "modules": {}, "site": []}
for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except Exception:
        found = False
    version = None
    if found:
        version = "?"
        try:
            version = metadata.version(DIST.get(name, name)) if metadata else "?"
        except Exception:
            pass
    out["modules"][name] = version
try:
    out["site"] = [p for p in site.getsitepackages() + [site.getusersitepackages()] if isinstance(p, str)]
except Exception:
    out["site"] = [p for p in sys.path if p.endswith("-packages")]
print(json.dumps(out))
`;

const cache = new Map<string, Cached>();

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function fresh(entry: Cached): boolean {
  return entry.stamps.every(([path, at]) => mtime(path) === at);
}

function run(python: string, modules: string[]): Promise<{ probe: Probe; site: string[] }> {
  return new Promise((resolve) => {
    execFile(python, ['-c', SCRIPT, ...modules], { timeout: 15_000 }, (err, stdout, stderr) => {
      const failed = (error: string) => resolve({ probe: { path: python, modules: Object.fromEntries(modules.map((m) => [m, null])), error }, site: [] });
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return failed(`${python} was not found`);
        if (code === 'EACCES') return failed(`${python} is not executable`);
        return failed(stderr.trim().split('\n').pop() || err.message);
      }
      try {
        const out = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { python: string; modules: Record<string, string | null>; site: string[] };
        resolve({ probe: { path: python, python: out.python, modules: out.modules }, site: out.site });
      } catch {
        failed(`${python} did not answer as a Python interpreter`);
      }
    });
  });
}

/** What `python` imports of `modules`; asked again only when its site-packages changed. */
export async function probeInterpreter(python: string, modules: string[]): Promise<Probe> {
  const key = `${python}\0${[...modules].sort().join(',')}`;
  const cached = cache.get(key);
  if (cached && fresh(cached)) return cached.probe;
  const { probe, site } = await run(python, modules);
  // A failed run is not kept: the interpreter may be created a moment later (a venv being made).
  if (!probe.error) cache.set(key, { probe, stamps: site.map((p) => [p, mtime(p)]) });
  return probe;
}

/** Forgets every answer (tests; a user who says the environment changed). */
export function forgetProbes(): void {
  cache.clear();
}

const VENV_NAMES = ['.venv', 'venv', 'env'];

/** A venv's interpreter: bin/python (POSIX) or Scripts/python.exe (Windows). */
function venvPython(dir: string): string | undefined {
  for (const rel of [['bin', 'python'], ['Scripts', 'python.exe']]) {
    const path = join(dir, ...rel);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * The virtual environments at the top of a workspace folder, the usual names first (.venv, venv, env),
 * then any other folder with a pyvenv.cfg (what `python -m venv NAME` writes), by name.
 */
export function workspaceVenvs(folder: string): string[] {
  const found: string[] = [];
  const add = (dir: string) => {
    const python = venvPython(dir);
    if (python && !found.includes(python)) found.push(python);
  };
  for (const name of VENV_NAMES) if (existsSync(join(folder, name, 'pyvenv.cfg'))) add(join(folder, name));
  let entries: string[];
  try {
    entries = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return found;
  }
  for (const name of entries) if (existsSync(join(folder, name, 'pyvenv.cfg'))) add(join(folder, name));
  return found;
}
