// The interpreter that runs Gunicorn: the one asked for, else python3, else Debian's /usr/bin/python3 —
// the first that can import gunicorn.
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
    const r = spawnSync(path, ['-c', 'import gunicorn; print(gunicorn.__version__)'], { encoding: 'utf8', timeout: 15000 });
    if (r.status === 0) return { path, gunicornVersion: r.stdout.trim() };
    tried.push(r.error ? `${path} (not found)` : `${path} (no gunicorn)`);
  }
  throw new PythonNotFound(
    `no Python that can import gunicorn: tried ${tried.join(', ')}; install it (Debian: apt-get install gunicorn python3-gunicorn) or pass --python`,
  );
}
