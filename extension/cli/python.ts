// The interpreter that runs Gunicorn: the one asked for, else python3, else Debian's /usr/bin/python3 —
// the first that can import gunicorn. Its path is the interpreter's own sys.executable, so the `python:`
// line names the file that runs (not `python3` from PATH), the same one Gunicorn re-executes on USR2.
import { spawnSync } from 'node:child_process';

export interface PythonInfo {
  path: string;
  gunicornVersion: string;
}

export class PythonNotFound extends Error {}

export function findPython(preferred?: string): PythonInfo {
  const candidates = preferred ? [preferred] : ['python3', '/usr/bin/python3'];
  const tried: string[] = [];
  for (const path of candidates) {
    const r = spawnSync(path, ['-c', 'import sys, gunicorn; print(gunicorn.__version__); print(sys.executable)'], { encoding: 'utf8', timeout: 15000 });
    if (r.status === 0) {
      const lines = r.stdout.trim().split('\n');
      const executable = lines.pop()?.trim();
      return { path: executable || path, gunicornVersion: lines.pop()?.trim() ?? '' };
    }
    tried.push(r.error ? `${path} (not found)` : `${path} (no gunicorn)`);
  }
  throw new PythonNotFound(
    `no Python that can import gunicorn: tried ${tried.join(', ')}; install it (Debian: apt-get install gunicorn python3-gunicorn) or pass --python`,
  );
}
