// Which found interpreter serves an app: the first, in the order users have them, that imports Gunicorn,
// the app's framework and its worker class's package. Pure (no `vscode`), so the rule reads in one place.
import type { Probe } from './interpreterProbe';

export type InterpreterSource = 'workspace venv' | 'Python extension' | 'gunicornLive.pythonPath' | 'PATH' | 'launch configuration';

export interface FoundInterpreter {
  path: string;
  source: InterpreterSource;
  probe: Probe;
}

/** The package a worker class comes from (Gunicorn's own classes need none beyond Gunicorn). */
export function workerClassModule(workerClass: string): string | undefined {
  const k = workerClass.trim();
  if (!k || ['sync', 'gthread', 'asgi'].includes(k) || k.startsWith('gunicorn.')) return undefined;
  if (['gevent', 'eventlet', 'tornado'].includes(k)) return k;
  // `egg:gunicorn#gevent` style and dotted paths: the top-level package.
  const egg = /#(gevent|eventlet|tornado)$/.exec(k);
  if (egg) return egg[1];
  return k.split('.')[0] || undefined;
}

/** The modules an app needs its interpreter to import: gunicorn, its framework, its worker class's package. */
export function requiredModules(app: { framework?: string; workerClass?: string }): string[] {
  const modules = ['gunicorn'];
  if (app.framework) modules.push(app.framework);
  const worker = workerClassModule(app.workerClass ?? '');
  if (worker && !modules.includes(worker)) modules.push(worker);
  return modules;
}

const NAMES: Record<string, string> = {
  gunicorn: 'Gunicorn', flask: 'Flask', django: 'Django', fastapi: 'FastAPI', starlette: 'Starlette', uvicorn: 'uvicorn',
  uvicorn_worker: 'uvicorn-worker', gevent: 'gevent', eventlet: 'eventlet', tornado: 'Tornado', debugpy: 'debugpy',
};

export const moduleLabel = (module: string) => NAMES[module] ?? module;

/** "Gunicorn 20.1.0 · Flask 2.2.2", "no Gunicorn · Flask 2.2.2", or why the interpreter did not answer. */
export function describeProbe(probe: Probe, modules: string[]): string {
  if (probe.error) return probe.error;
  return modules.map((m) => {
    const version = probe.modules[m];
    if (version === null || version === undefined) return `no ${moduleLabel(m)}`;
    return version === '?' ? moduleLabel(m) : `${moduleLabel(m)} ${version}`;
  }).join(' · ');
}

export function lacks(probe: Probe, modules: string[]): string[] {
  return modules.filter((m) => probe.modules[m] === null || probe.modules[m] === undefined);
}

export interface Choice {
  /** The first interpreter that imports every required module. */
  chosen?: FoundInterpreter;
  /**
   * When none does: the first that has the app's own packages (everything but gunicorn), where
   * installing gunicorn makes it work; else the first that ran at all.
   */
  closest?: FoundInterpreter;
  /** What each tried interpreter lacks, for the message that says none fits. */
  tried: Array<{ found: FoundInterpreter; lacks: string[] }>;
}

export function chooseInterpreter(found: FoundInterpreter[], modules: string[]): Choice {
  const tried = found.map((f) => ({ found: f, lacks: f.probe.error ? modules : lacks(f.probe, modules) }));
  const chosen = tried.find((t) => !t.found.probe.error && t.lacks.length === 0)?.found;
  if (chosen) return { chosen, tried };
  const appsOwn = modules.filter((m) => m !== 'gunicorn');
  const closest = (appsOwn.length > 0 ? tried.find((t) => !t.found.probe.error && lacks(t.found.probe, appsOwn).length === 0) : undefined)
    ?? tried.find((t) => !t.found.probe.error);
  return { closest: closest?.found, tried };
}
