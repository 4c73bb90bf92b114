// `npm run package` and what the .vsix must (and must not) carry: the bundle, the dashboard, the
// Python agent with its shim; no node_modules, no sources, no tests.
import { spawnSync } from 'node:child_process';
import { ROOT } from './bundleTests';

export function packageVsix(out: string): string {
  const r = spawnSync('npm', ['run', '--silent', 'package', '--', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm run package failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return out;
}

export function vsixEntries(vsix: string): string[] {
  // Debian's Python reads zips everywhere this suite runs (the agent needs it anyway).
  const r = spawnSync('/usr/bin/python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot read ${vsix}: ${r.stderr.trim()}`);
  return r.stdout.trim().split('\n');
}

export function checkVsix(vsix: string): void {
  const entries = vsixEntries(vsix);
  const must = [
    'extension/package.json', 'extension/dist/extension.js', 'extension/dist/webview/dashboard.js',
    'extension/dist/webview/dashboard.css', 'extension/dist/webview/codicon.ttf',
    'extension/server-agent/gunicorn_live/shim.py', 'extension/server-agent/launcher/gunicorn', 'extension/media/gunicorn-live.svg',
  ];
  const missing = must.filter((m) => !entries.includes(m));
  if (missing.length > 0) throw new Error(`the .vsix lacks ${missing.join(', ')}`);
  const junk = entries.filter((e) => /node_modules\/|\/test\/|__pycache__|\.map$|\.ts$|\.vsix$/.test(e));
  if (junk.length > 0) throw new Error(`the .vsix carries what it should not: ${junk.slice(0, 5).join(', ')}${junk.length > 5 ? ` (+${junk.length - 5})` : ''}`);
}

/** The ms-python.debugpy stand-in of the hand-over pass (test/vscode/standin-debugpy) as a .vsix. */
export function packageStandIn(dir: string, out: string): string {
  const r = spawnSync('npx', ['vsce', 'package', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`packaging the stand-in in ${dir} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return out;
}
