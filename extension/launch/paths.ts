// Where the packaged files are, whether running from dist/ (CLI, extension, .vsix) or from source (tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'server-agent', 'gunicorn_live'))) return dir;
    dir = dirname(dir);
  }
  return join(__dirname, '..');
}

export const PACKAGE_ROOT = packageRoot();
/** Put on PYTHONPATH so Gunicorn can import gunicorn_live. */
export const AGENT_DIR = join(PACKAGE_ROOT, 'server-agent');
/** The one file of the agent a debugger may stop in: where Pause stops a worker between requests. */
export const PAUSE_POINT = join(AGENT_DIR, 'gunicorn_live', 'pause_point.py');
/** Passed to Gunicorn as -c: loads the user's config, then instruments. */
export const AGENT_SHIM = join(AGENT_DIR, 'gunicorn_live', 'shim.py');
/** Runs Gunicorn as its console script does, so that USR2's re-execution works (see the file). */
export const GUNICORN_LAUNCHER = join(AGENT_DIR, 'launcher', 'gunicorn');
/** Reads Gunicorn's arguments with Gunicorn's own parser before `run` starts anything (CLI only). */
export const PREFLIGHT_PROBE = join(AGENT_DIR, 'launcher', 'preflight.py');
export const DEMO_DIR = join(AGENT_DIR, 'demo');
export const WEBVIEW_DIR = join(PACKAGE_ROOT, 'dist', 'webview');
