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
  /** The framework's module (`flask`, `django`, `fastapi`): its interpreter must import it. */
  framework?: string;
  /**
   * Another way to serve a project that has a better one (Django's ASGI module when nothing needs it):
   * offered by Change App…, never chosen on its own.
   */
  alternative?: boolean;
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
    app, config: '', workerClass: kind === 'asgi' ? UVICORN_WORKER : '', cwd: folder, framework: 'django',
    label: app, detail: `Django ${kind.toUpperCase()} (${file.rel})${kind === 'asgi' ? ', uvicorn worker' : ''}`,
  };
}

/** Flask `app = Flask(...)` / `def create_app(`, FastAPI `app = FastAPI(...)`: module path from the folder root. */
function flaskOrFastApi(file: SourceFile): AppCandidate[] {
  const found: AppCandidate[] = [];
  const module = moduleName(file.rel, '');
  if (module.split('.').some((part) => !new RegExp(`^${IDENT}$`).test(part))) return found;
  const add = (app: string, workerClass: string, detail: string) =>
    found.push({ app, config: '', workerClass, cwd: '', label: app, detail: `${detail} (${file.rel})`, framework: workerClass ? 'fastapi' : 'flask' });
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

/**
 * Why a Django project needs ASGI, or undefined when WSGI serves it: Channels (in INSTALLED_APPS, or an
 * ASGI_APPLICATION setting) or an `async def` view in its views or urls modules.
 */
function djangoNeedsAsgi(files: SourceFile[], projectDir: string): string | undefined {
  const inside = files.filter((f) => !projectDir || f.rel.startsWith(`${projectDir}/`));
  for (const f of inside) {
    if (/^ASGI_APPLICATION\s*=/m.test(f.text)) return `ASGI_APPLICATION in ${f.rel}`;
    if (/INSTALLED_APPS[\s\S]*?["']channels["']/.test(f.text)) return `Channels in INSTALLED_APPS (${f.rel})`;
  }
  for (const f of inside) {
    if (/(^|\/)(views|urls)(\/[^/]+)?\.py$/.test(f.rel) && /^\s*async\s+def\s/m.test(f.text)) return `async views in ${f.rel}`;
  }
  return undefined;
}

/**
 * A Django project with both wsgi.py and asgi.py (every `startproject`) is served one way: WSGI unless
 * something needs ASGI; the other module stays an alternative whose detail says why it was not chosen.
 */
function preferDjango(all: AppCandidate[], files: SourceFile[]): void {
  for (const wsgi of all.filter((c) => c.framework === 'django' && !c.workerClass)) {
    const asgi = all.find((c) => c.framework === 'django' && c.workerClass && c.cwd === wsgi.cwd);
    if (!asgi) continue;
    const needs = djangoNeedsAsgi(files, wsgi.cwd);
    if (needs) {
      asgi.detail = `Django ASGI, uvicorn worker — ${needs}`;
      wsgi.detail = `Django WSGI — not chosen: ${needs} need ASGI`;
      wsgi.alternative = true;
    } else {
      wsgi.detail = 'Django WSGI — no async views or Channels found';
      asgi.detail = 'Django ASGI, uvicorn worker — only needed for async views or Channels';
      asgi.alternative = true;
    }
  }
}

/** Every candidate in the files, config files first, then the chosen way of each project, each app once. */
export function detectApps(files: SourceFile[]): AppCandidate[] {
  const all: AppCandidate[] = [];
  for (const file of [...files].sort((a, b) => a.rel.localeCompare(b.rel))) {
    const conf = gunicornConf(file);
    if (conf) all.push(conf);
    const dj = django(file);
    if (dj) all.push(dj);
    else all.push(...flaskOrFastApi(file));
  }
  preferDjango(all, files);
  const seen = new Set<string>();
  return all
    .sort((a, b) => Number(!a.config) - Number(!b.config) || Number(Boolean(a.alternative)) - Number(Boolean(b.alternative)))
    .filter((c) => {
      const key = `${c.config}|${c.cwd}|${c.app}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
