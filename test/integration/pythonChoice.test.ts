// Which Python runs Gunicorn: `--python` if given, else `python3` on PATH, else Debian's /usr/bin/python3 —
// the first that can import gunicorn. Interpreters are told apart by their own path: a symlink to Debian's
// Python keeps its name as sys.executable (and imports gunicorn); a script that runs it with -S (no site
// packages) cannot import gunicorn and notes each time it is run.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { startCli, stopCli, type CliProcess } from './cliProcess';
import { freePort } from './proc';
import { killLeftoverGunicorn } from './processGroup';

const APPS = join(__dirname, '..', 'apps');
const DEBIAN_PYTHON = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'gl-python-'));
const masters: number[] = [];
after(() => masters.forEach(killLeftoverGunicorn));

/** A folder holding `name`: a symlink to Debian's Python, which imports gunicorn. */
function withGunicorn(folder: string, name: string): string {
  const dir = mkdtempSync(join(work, `${folder}-`));
  symlinkSync(DEBIAN_PYTHON, join(dir, name));
  return join(dir, name);
}

/** A folder holding `name`: Debian's Python without site packages (no gunicorn); each run adds a line to its log. */
function withoutGunicorn(folder: string, name: string): { path: string; runs: () => string[] } {
  const dir = mkdtempSync(join(work, `${folder}-`));
  const log = join(dir, 'runs.log');
  writeFileSync(join(dir, name), `#!/bin/sh\necho "$*" >> '${log}'\nexec ${DEBIAN_PYTHON} -S "$@"\n`);
  chmodSync(join(dir, name), 0o755);
  return { path: join(dir, name), runs: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

/** The file a command name runs with this PATH. */
function onPath(command: string, path: string): string | undefined {
  if (command.includes('/')) return command;
  return path.split(delimiter).map((d) => join(d, command)).find((f) => existsSync(f));
}

const pathWith = (file: string) => `${file.slice(0, file.lastIndexOf('/'))}${delimiter}${process.env.PATH}`;

/** Runs `gunicorn-live run` until the hub sees Gunicorn; returns the `python:` line's interpreter and the master's argv[0]. */
async function chosen(flags: string[], path: string): Promise<{ named: string; argv0: string }> {
  const appPort = await freePort();
  const cli: CliProcess = startCli(['run', '--port', '0', ...flags, '--', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app'],
    { env: { PATH: path } });
  try {
    const [, named] = await cli.line(/^python: (\S+) \(gunicorn 20\.1\.0\)$/m);
    const [, base, token] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{32})$/m);
    let server: ServerView | undefined;
    for (const end = Date.now() + 20000; !server && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const res = await fetch(`${base}/api/servers`, { headers: { Authorization: `Bearer ${token}` } });
      [server] = ((await res.json()) as { servers: ServerView[] }).servers;
    }
    assert.ok(server, `Gunicorn never reported:\n${cli.output()}`);
    masters.push(server.masterPid);
    const argv0 = readFileSync(`/proc/${server.masterPid}/cmdline`, 'utf8').split('\0')[0];
    assert.deepEqual(await stopCli(cli), { code: 0, signal: null });
    return { named, argv0 };
  } finally {
    await stopCli(cli);
  }
}

describe('which Python runs Gunicorn', () => {
  test('python3 on PATH that imports gunicorn is chosen before /usr/bin/python3', async () => {
    const python3 = withGunicorn('path', 'python3');
    const path = pathWith(python3);
    const { named, argv0 } = await chosen([], path);
    assert.equal(onPath(named, path), python3);
    assert.equal(onPath(argv0, path), python3, 'the interpreter named is the one that runs Gunicorn');
  });

  test('python3 on PATH that cannot import gunicorn: tried once, then /usr/bin/python3', async () => {
    const python3 = withoutGunicorn('path', 'python3');
    const { named, argv0 } = await chosen([], pathWith(python3.path));
    assert.equal(named, DEBIAN_PYTHON);
    assert.equal(argv0, DEBIAN_PYTHON);
    assert.equal(python3.runs().length, 1, `python3 on PATH ran: ${python3.runs().join(' | ')}`);
  });

  test('--python comes first: python3 on PATH is not even asked', async () => {
    const preferred = withGunicorn('preferred', 'py-preferred');
    const python3 = withoutGunicorn('path', 'python3');
    const path = pathWith(python3.path);
    const { named, argv0 } = await chosen(['--python', preferred], path);
    assert.equal(named, preferred);
    assert.equal(argv0, preferred);
    assert.deepEqual(python3.runs(), []);
  });

  test('none can import gunicorn: one line naming what was tried, exit 2', async () => {
    const preferred = withoutGunicorn('preferred', 'py-preferred');
    const python3 = withoutGunicorn('path', 'python3');
    const cli = startCli(['run', '--port', '0', '--python', preferred.path, '--', 'work:app'], { env: { PATH: pathWith(python3.path) } });
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 20000);
    const exit = await cli.exited;
    clearTimeout(timer);
    assert.deepEqual(exit, { code: 2, signal: null });
    const lines = cli.output().trim().split('\n');
    assert.equal(lines.length, 1, cli.output());
    const tried = /^gunicorn-live: no Python that can import gunicorn: tried (.*?); install it \(Debian: apt-get install gunicorn python3-gunicorn\) or pass --python$/.exec(lines[0]);
    assert.ok(tried, lines[0]);
    assert.equal(tried[1], `${preferred.path} (no gunicorn)`);
    assert.equal(preferred.runs().length, 1);
    assert.deepEqual(python3.runs(), []);
  });
});
