// Finds what Gunicorn could serve in a project from its Python sources. Pure (no `vscode`), so the rules
// read as one list: gunicorn.conf.py with wsgi_app, Django wsgi/asgi modules, Flask apps and factories,
// FastAPI apps (served through uvicorn's worker class, since Gunicorn's own workers speak only WSGI).
import { posix } from 'node:path';

export interface AppCandidate {
  /** Gunicorn's WSGI_APP argument (`module:variable`, or `module:factory()`); empty when a config names it. */
  app: string;
  /** A config file that names the app itself (relative to the folder), else empty. */
  config: string;
  /** `-k` value, empty for Gunicorn's default (sync). */
  workerClass: string;
  /** Folder Gunicorn runs in (relative to the workspace folder, '' = the folder itself). */
  cwd: string;
  /** What the QuickPick shows. */
  label: string;
  detail: string;
}

export interface SourceFile {
  /** Path relative to the workspace folder, with forward slashes. */
  rel: string;
  text: string;
}

export const UVICORN_WORKER = 'uvicorn.workers.UvicornWorker';

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';

/** `pkg/sub/mod.py` → `pkg.sub.mod`, relative to `cwd`. */
function moduleName(rel: string, cwd: string): string {
  const inside = cwd ? posix.relative(cwd, rel) : rel;
  // A package's __init__.py is imported by the package's name.
  return inside.replace(/\.py$/, '').replace(/(^|\/)__init__$/, '').split('/').join('.');
}

/** Django: <project>/<package>/wsgi.py runs with cwd <project> (where manage.py lives). */
function django(file: SourceFile): AppCandidate | undefined {
  const m = /(^|\/)([A-Za-z_][\w]*)\/(wsgi|asgi)\.py$/.exec(file.rel);
  if (!m) return undefined;
  const kind = m[3];
  const getter = kind === 'wsgi' ? 'get_wsgi_application' : 'get_asgi_application';
  if (!file.text.includes(getter) && !file.text.includes('DJANGO_SETTINGS_MODULE')) return undefined;
  const variable = new RegExp(`^(${IDENT})\\s*=\\s*${getter}\\(`, 'm').exec(file.text)?.[1] ?? 'application';
  const cwd = posix.dirname(posix.dirname(file.rel));
  const folder = cwd === '.' ? '' : cwd;
  const app = `${moduleName(file.rel, folder)}:${variable}`;
  return {
    app, config: '', workerClass: kind === 'asgi' ? UVICORN_WORKER : '', cwd: folder,
    label: app, detail: `Django ${kind.toUpperCase()} (${file.rel})${kind === 'asgi' ? ', uvicorn worker' : ''}`,
  };
}

/** Flask `app = Flask(...)` / `def create_app(`, FastAPI `app = FastAPI(...)`: module path from the folder root. */
function flaskOrFastApi(file: SourceFile): AppCandidate[] {
  const found: AppCandidate[] = [];
  const module = moduleName(file.rel, '');
  if (module.split('.').some((part) => !new RegExp(`^${IDENT}$`).test(part))) return found;
  const add = (app: string, workerClass: string, detail: string) =>
    found.push({ app, config: '', workerClass, cwd: '', label: app, detail: `${detail} (${file.rel})` });
  for (const m of file.text.matchAll(new RegExp(`^(${IDENT})\\s*(?::\\s*\\w+\\s*)?=\\s*(?:flask\\.)?Flask\\(`, 'gm'))) {
    add(`${module}:${m[1]}`, '', 'Flask app');
  }
  if (/^def create_app\(/m.test(file.text) && /\bflask\b/i.test(file.text)) add(`${module}:create_app()`, '', 'Flask app factory');
  for (const m of file.text.matchAll(new RegExp(`^(${IDENT})\\s*(?::\\s*\\w+\\s*)?=\\s*(?:fastapi\\.)?FastAPI\\(`, 'gm'))) {
    add(`${module}:${m[1]}`, UVICORN_WORKER, 'FastAPI app, uvicorn worker');
  }
  return found;
}

/** A gunicorn.conf.py that sets `wsgi_app` needs no app argument. */
function gunicornConf(file: SourceFile): AppCandidate | undefined {
  if (posix.basename(file.rel) !== 'gunicorn.conf.py') return undefined;
  const m = /^wsgi_app\s*=\s*["']([^"']+)["']/m.exec(file.text);
  if (!m) return undefined;
  const cwd = posix.dirname(file.rel) === '.' ? '' : posix.dirname(file.rel);
  // Gunicorn runs in the config's folder, and a task's `config` is relative to its cwd.
  return { app: '', config: posix.basename(file.rel), workerClass: '', cwd, label: file.rel, detail: `Gunicorn config, wsgi_app = ${m[1]}` };
}

/** Every candidate in the files, config files first, each app once. */
export function detectApps(files: SourceFile[]): AppCandidate[] {
  const all: AppCandidate[] = [];
  for (const file of [...files].sort((a, b) => a.rel.localeCompare(b.rel))) {
    const conf = gunicornConf(file);
    if (conf) all.push(conf);
    const dj = django(file);
    if (dj) all.push(dj);
    else all.push(...flaskOrFastApi(file));
  }
  const seen = new Set<string>();
  return all
    .sort((a, b) => Number(!a.config) - Number(!b.config))
    .filter((c) => {
      const key = `${c.config}|${c.cwd}|${c.app}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
