// `gunicorn-live run` with the usual mistakes, against real Gunicorn: each gets exactly one
// `gunicorn-live:` line on stderr, exit 2, no traceback, and leaves no Gunicorn process behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN } from './cliProcess';

const APPS = join(__dirname, '..', 'apps');
const PYTHON = process.env.GUNICORN_LIVE_PYTHON ?? '/usr/bin/python3';

interface Finished { code: number | null; stdout: string; stderr: string }

/** Runs the CLI to its end (killed after 30 s), keeping stdout and stderr apart. */
function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

/** Processes whose command line holds `marker` (a unique --name), from /proc. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

let runs = 0;
/** `run -- …` with a unique process name; asserts the one line, exit 2, no traceback, nothing left running. */
async function refused(gunicornArgs: string[], line: string, options: { cwd: string; env?: NodeJS.ProcessEnv; cliArgs?: string[] }): Promise<Finished> {
  const marker = `gl-bad-input-${process.pid}-${++runs}`;
  const result = await runCli(['run', '--python', PYTHON, ...(options.cliArgs ?? []), '--', '--name', marker, ...gunicornArgs], options);
  const leftover = processesWith(marker);
  for (const pid of leftover) process.kill(pid, 'SIGKILL'); // only what this test started (unique marker)
  const all = result.stdout + result.stderr;
  assert.equal(result.stderr, `${line}\n`, all);
  assert.equal(result.code, 2, all);
  assert.doesNotMatch(all, /Traceback/);
  assert.deepEqual(leftover, [], 'no Gunicorn process is left running');
  return result;
}

describe('gunicorn-live run refuses bad Gunicorn arguments before starting anything', () => {
  let empty: string;
  let taken: Server;
  let takenPort: number;
  before(async () => {
    empty = realpathSync(mkdtempSync(join(tmpdir(), 'gl-bad-input-')));
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(() => taken.close());

  test('an app module that is not there', async () => {
    await refused(['--bind', '127.0.0.1:0', 'no_such_module_xyz:app'],
      `gunicorn-live: no module named 'no_such_module_xyz' (from the app argument 'no_such_module_xyz:app', looked in ${empty})`, { cwd: empty });
  });

  test('a submodule that is not there, with --chdir and --pythonpath', async () => {
    await refused(['--bind', '127.0.0.1:0', '--chdir', APPS, '--pythonpath', 'lib', 'work.nope:app'],
      `gunicorn-live: no module named 'work.nope' (from the app argument 'work.nope:app', looked in ${join(APPS, 'lib')}, ${APPS})`, { cwd: empty });
  });

  test('no app at all; the python: line names the interpreter file, not the bare name', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'gl-bin-'));
    symlinkSync(PYTHON, join(bin, 'python3'));
    const marker = `gl-bad-input-${process.pid}-noapp`;
    const result = await runCli(['run', '--', '--name', marker, '--bind', '127.0.0.1:0'],
      { cwd: empty, env: { PATH: `${bin}${delimiter}${process.env.PATH}` } });
    assert.deepEqual(processesWith(marker), []);
    assert.equal(result.stderr, 'gunicorn-live: no app: give Gunicorn a WSGI_APP after --, e.g. app:app\n', result.stdout + result.stderr);
    assert.equal(result.code, 2);
    assert.match(result.stdout, new RegExp(`^python: ${join(bin, 'python3')} \\(gunicorn \\d+\\.\\d+\\.\\d+\\)$`, 'm'));
  });

  test('the app bind port is taken', async () => {
    await refused(['--bind', `127.0.0.1:${takenPort}`, '--chdir', APPS, 'work:app'],
      `gunicorn-live: --bind 127.0.0.1:${takenPort} is already in use; pick another port`, { cwd: empty });
  });

  test('-D is refused: run could not follow a daemon', async () => {
    await refused(['-D', '--bind', '127.0.0.1:0', '--chdir', APPS, 'work:app'],
      'gunicorn-live: run cannot follow a daemonized Gunicorn (-D/--daemon): drop it, or start the hub with `gunicorn-live serve` '
      + 'and start Gunicorn yourself with the GUNICORN_LIVE_URL, GUNICORN_LIVE_TOKEN and PYTHONPATH it prints', { cwd: empty });
  });

  test('an option Gunicorn does not know', async () => {
    await refused(['--bogus', '--chdir', APPS, 'work:app'], 'gunicorn-live: Gunicorn refused its arguments: unrecognized arguments: --bogus', { cwd: empty });
  });
});

describe('gunicorn-live run names an early Gunicorn exit in its last line', () => {
  test("an app that fails to import: the user's traceback, then one line saying what happened", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gl-broken-app-')));
    writeFileSync(join(dir, 'broken.py'), 'def app(environ, start_response)\n    return []\n');
    const result = await runCli(['run', '--python', PYTHON, '--', '--bind', '127.0.0.1:0', 'broken:app'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /SyntaxError/);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('gunicorn-live:')).length, 1, result.stderr);
    assert.equal(lines.at(-1), 'gunicorn-live: Gunicorn exited (3) before its workers booted: usually the app failed to import; its traceback is above');
  });

  test('a bind taken that only the config file names: Gunicorn gives up, then one gunicorn-live line', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gl-conf-bind-')));
    writeFileSync(join(dir, 'gunicorn.conf.py'), `bind = ["127.0.0.1:${port}"]\n`);
    try {
      const result = await runCli(['run', '--python', PYTHON, '--', '--chdir', APPS, 'work:app'], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.filter((l) => l.startsWith('gunicorn-live:')).length, 1, result.stderr);
      assert.equal(lines.at(-1), 'gunicorn-live: Gunicorn exited (1) before it started serving; its messages above say why');
    } finally {
      holder.close();
    }
  });
});
