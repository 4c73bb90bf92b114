import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { extractConfig, gunicornCommand } from '../../../extension/cli/launch';
import { AGENT_DIR, AGENT_SHIM, GUNICORN_LAUNCHER } from '../../../extension/cli/paths';

test("the user's -c is taken out of Gunicorn's arguments in every spelling", () => {
  // argparse also takes any unambiguous abbreviation: Gunicorn would read `--conf my.py` as its config.
  for (const args of [['-c', 'my.py', 'app:app'], ['-cmy.py', 'app:app'], ['--config', 'my.py', 'app:app'], ['--config=my.py', 'app:app'],
    ['--conf', 'my.py', 'app:app'], ['--co=my.py', 'app:app']]) {
    assert.deepEqual(extractConfig(args), { config: 'my.py', rest: ['app:app'] }, args.join(' '));
  }
  assert.deepEqual(extractConfig(['-w', '2', '--chdir', 'x', 'app:app']), { config: null, rest: ['-w', '2', '--chdir', 'x', 'app:app'] });
  assert.deepEqual(extractConfig(['--c', 'x', '--check-config', 'app:app']), { config: null, rest: ['--c', 'x', '--check-config', 'app:app'] });
});

test('the shim becomes -c and the user config is handed over by absolute path', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gl-launch-'));
  const base = { python: '/usr/bin/python3', agentUrl: 'ws://127.0.0.1:1/ws/agent', token: 't', cwd, env: { PYTHONPATH: '/x' } };
  const explicit = gunicornCommand({ ...base, gunicornArgs: ['-c', 'conf/my.py', '-w', '2', 'app:app'] });
  assert.deepEqual(explicit.args, [GUNICORN_LAUNCHER, '-c', AGENT_SHIM, '-w', '2', 'app:app']);
  assert.equal(explicit.env.GUNICORN_LIVE_USER_CONFIG, join(cwd, 'conf/my.py'));
  assert.equal(explicit.env.PYTHONPATH, `${AGENT_DIR}:/x`);
  assert.equal(explicit.env.GUNICORN_LIVE_URL, 'ws://127.0.0.1:1/ws/agent');
  assert.equal(explicit.env.GUNICORN_LIVE_TOKEN, 't');

  assert.equal(gunicornCommand({ ...base, gunicornArgs: ['app:app'] }).env.GUNICORN_LIVE_USER_CONFIG, undefined);
  writeFileSync(join(cwd, 'gunicorn.conf.py'), 'workers = 1\n');
  assert.equal(gunicornCommand({ ...base, gunicornArgs: ['app:app'] }).env.GUNICORN_LIVE_USER_CONFIG, join(cwd, 'gunicorn.conf.py'));
});
