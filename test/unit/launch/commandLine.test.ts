import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { extractConfig, instrumentedGunicorn, userConfigFor } from '../../../extension/launch/commandLine';
import { AGENT_DIR, AGENT_SHIM, GUNICORN_LAUNCHER } from '../../../extension/launch/paths';

test("the user's -c is taken out of Gunicorn's arguments in every spelling", () => {
  // argparse also takes any unambiguous abbreviation: Gunicorn would read `--conf my.py` as its config.
  for (const args of [['-c', 'my.py', 'app:app'], ['-cmy.py', 'app:app'], ['--config', 'my.py', 'app:app'], ['--config=my.py', 'app:app'],
    ['--conf', 'my.py', 'app:app'], ['--co=my.py', 'app:app']]) {
    assert.deepEqual(extractConfig(args), { config: 'my.py', rest: ['app:app'] }, args.join(' '));
  }
  assert.deepEqual(extractConfig(['-w', '2', '--chdir', 'x', 'app:app']), { config: null, rest: ['-w', '2', '--chdir', 'x', 'app:app'] });
  assert.deepEqual(extractConfig(['--c', 'x', '--check-config', 'app:app']), { config: null, rest: ['--c', 'x', '--check-config', 'app:app'] });
  // After `--` nothing is an option, not even -c.
  assert.deepEqual(extractConfig(['-w', '1', '--', '-c', 'x']), { config: null, rest: ['-w', '1', '--', '-c', 'x'] });
});

test('the shim becomes -c and the user config is handed over by absolute path', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gl-launch-'));
  const base = { python: '/usr/bin/python3', agentUrl: 'ws://127.0.0.1:1/ws/agent', token: 't', cwd };
  const inherited = { PYTHONPATH: '/x', HOME: '/home/me' };
  const explicit = instrumentedGunicorn({ ...base, gunicornArgs: ['-c', 'conf/my.py', '-w', '2', 'app:app'] }, inherited);
  assert.equal(explicit.command, '/usr/bin/python3');
  assert.deepEqual(explicit.args, [GUNICORN_LAUNCHER, '-c', AGENT_SHIM, '-w', '2', 'app:app']);
  assert.deepEqual(explicit.added, {
    PYTHONPATH: `${AGENT_DIR}:/x`, GUNICORN_LIVE_URL: 'ws://127.0.0.1:1/ws/agent', GUNICORN_LIVE_TOKEN: 't',
    GUNICORN_LIVE_USER_CONFIG: join(cwd, 'conf/my.py'),
  });
  assert.deepEqual(explicit.env, { ...explicit.added, HOME: '/home/me' });

  assert.equal(instrumentedGunicorn({ ...base, gunicornArgs: ['app:app'] }, inherited).env.GUNICORN_LIVE_USER_CONFIG, undefined);
  writeFileSync(join(cwd, 'gunicorn.conf.py'), 'workers = 1\n');
  assert.equal(instrumentedGunicorn({ ...base, gunicornArgs: ['app:app'] }, inherited).env.GUNICORN_LIVE_USER_CONFIG, join(cwd, 'gunicorn.conf.py'));
});

test('a user config left in the inherited environment is dropped unless this launch names one', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gl-launch-'));
  const inherited = { GUNICORN_LIVE_USER_CONFIG: '/elsewhere/gunicorn.conf.py' };
  const launch = { python: 'python3', agentUrl: 'ws://h/ws/agent', token: 't', cwd, gunicornArgs: ['app:app'] };
  const plain = instrumentedGunicorn(launch, inherited);
  assert.equal('GUNICORN_LIVE_USER_CONFIG' in plain.env, false);
  assert.equal(plain.env.PYTHONPATH, AGENT_DIR, 'no inherited PYTHONPATH: the agent folder alone');
  assert.equal(instrumentedGunicorn({ ...launch, gunicornArgs: ['--config=python:conf.mod', 'app:app'] }, inherited).env.GUNICORN_LIVE_USER_CONFIG, 'python:conf.mod');
});

test('userConfigFor: python: modules as given, files absolute, else ./gunicorn.conf.py only when it exists', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gl-launch-'));
  assert.equal(userConfigFor('python:a.b', cwd), 'python:a.b');
  assert.equal(userConfigFor('../c.py', join(cwd, 'sub')), join(cwd, 'c.py'));
  assert.equal(userConfigFor(null, cwd), null);
  writeFileSync(join(cwd, 'gunicorn.conf.py'), '');
  assert.equal(userConfigFor(null, cwd), join(cwd, 'gunicorn.conf.py'));
});
