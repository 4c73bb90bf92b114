// The command line a `gunicorn` task runs: the agent's shim injected, the user's config handed to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UVICORN_WORKER } from '../../../extension/vscode/appCandidates';
import { gunicornCommand } from '../../../extension/vscode/gunicornCommand';

describe('gunicorn command line', () => {
  const ctx = {
    python: '/usr/bin/python3', folderPath: '/srv/proj', agentUrl: 'ws://127.0.0.1:9/ws/agent', token: 't0k',
    sampleInterval: 0.5, defaultWorkers: 2, defaultTimeout: 30,
  };

  it('injects the agent shim, hands the user config to it, and keeps arguments', () => {
    const plan = gunicornCommand({ type: 'gunicorn', app: 'app:app', args: ['-c', 'my.conf.py', '--bind', '127.0.0.1:8001'] }, ctx);
    assert.equal(plan.command, '/usr/bin/python3');
    assert.match(plan.args[0], /server-agent\/launcher\/gunicorn$/);
    assert.equal(plan.args[1], '-c');
    assert.match(plan.args[2], /server-agent\/gunicorn_live\/shim\.py$/);
    // A config is in play, so the settings' defaults do not override it.
    assert.deepEqual(plan.args.slice(3), ['--bind', '127.0.0.1:8001', 'app:app']);
    assert.equal(plan.env.GUNICORN_LIVE_USER_CONFIG, '/srv/proj/my.conf.py');
    assert.equal(plan.env.GUNICORN_LIVE_URL, 'ws://127.0.0.1:9/ws/agent');
    assert.equal(plan.env.GUNICORN_LIVE_TOKEN, 't0k');
    assert.equal(plan.env.GUNICORN_LIVE_INTERVAL, '0.5');
    assert.match(plan.env.PYTHONPATH, /server-agent/);
    assert.equal(plan.cwd, '/srv/proj');
  });

  it('debug launches run one worker with no timeout, whatever the task says', () => {
    const plan = gunicornCommand({ type: 'gunicorn', app: 'app:app', workers: 4, args: ['-w', '3', '--timeout=5'] }, { ...ctx, debug: true });
    assert.deepEqual(plan.args.slice(3), ['--workers', '1', '--timeout', '0', 'app:app']);
  });

  it('uses the settings\' defaults and the worker class when nothing else decides', () => {
    const plan = gunicornCommand({ type: 'gunicorn', app: 'api.main:api', workerClass: UVICORN_WORKER, cwd: 'svc' }, { ...ctx, folderPath: '/nonexistent' });
    assert.deepEqual(plan.args.slice(3), ['--workers', '2', '--timeout', '30', '--worker-class', UVICORN_WORKER, 'api.main:api']);
    assert.equal(plan.cwd, '/nonexistent/svc');
    assert.equal(plan.env.GUNICORN_LIVE_USER_CONFIG, undefined);
  });
});
