// The command line a `gunicorn` task runs (taskPlan.ts): the agent's shim injected, the user's config handed to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UVICORN_WORKER } from '../../../extension/vscode/appCandidates';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plannedBinds, taskLaunchPlan, type GunicornTaskDefinition } from '../../../extension/vscode/taskPlan';

describe('gunicorn command line', () => {
  const ctx = {
    python: '/usr/bin/python3', folderPath: '/srv/proj', agentUrl: 'ws://127.0.0.1:9/ws/agent', token: 't0k',
    sampleInterval: 0.5, defaultWorkers: 2, defaultTimeout: 30,
  };

  it('injects the agent shim, hands the user config to it, and keeps arguments', () => {
    const plan = taskLaunchPlan({ type: 'gunicorn', app: 'app:app', args: ['-c', 'my.conf.py', '--bind', '127.0.0.1:8001'] }, ctx);
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
    const plan = taskLaunchPlan({ type: 'gunicorn', app: 'app:app', workers: 4, args: ['-w', '3', '--timeout=5'] }, { ...ctx, debug: true });
    assert.deepEqual(plan.args.slice(3), ['--workers', '1', '--timeout', '0', 'app:app']);
  });

  it('uses the settings\' defaults and the worker class when nothing else decides', () => {
    const plan = taskLaunchPlan({ type: 'gunicorn', app: 'api.main:api', workerClass: UVICORN_WORKER, cwd: 'svc' }, { ...ctx, folderPath: '/nonexistent' });
    assert.deepEqual(plan.args.slice(3), ['--workers', '2', '--timeout', '30', '--worker-class', UVICORN_WORKER, 'api.main:api']);
    assert.equal(plan.cwd, '/nonexistent/svc');
    assert.equal(plan.env.GUNICORN_LIVE_USER_CONFIG, undefined);
  });
});

describe('bind and extra arguments (gunicornLive.bind, gunicornLive.args)', () => {
  const ctx = {
    python: '/usr/bin/python3', folderPath: '/nonexistent', agentUrl: 'ws://127.0.0.1:9/ws/agent', token: 't0k',
    sampleInterval: 1, defaultWorkers: 2, defaultTimeout: 30,
  };
  const args = (def: Omit<GunicornTaskDefinition, 'type'>, extra = {}) => taskLaunchPlan({ type: 'gunicorn', ...def }, { ...ctx, ...extra }).args.slice(3);

  it('the settings\' bind when the task names none; the settings\' args before the task\'s', () => {
    assert.deepEqual(args({ app: 'app:app' }, { bind: '127.0.0.1:9000', args: ['--reload'] }), ['--bind', '127.0.0.1:9000', '--workers', '2', '--timeout', '30', '--reload', 'app:app']);
    assert.deepEqual(args({ app: 'app:app', args: ['-b', '0.0.0.0:80'] }, { bind: '127.0.0.1:9000' }), ['--workers', '2', '--timeout', '30', '-b', '0.0.0.0:80', 'app:app']);
  });

  it('a definition\'s bind (a free port chosen at launch) replaces every other', () => {
    assert.deepEqual(args({ app: 'app:app', bind: '127.0.0.1:8001', args: ['-b', '127.0.0.1:8000', '--bind=x:1', '-by:2'] }, { bind: 'z:3' }),
      ['--bind', '127.0.0.1:8001', '--workers', '2', '--timeout', '30', 'app:app']);
  });

  it('plans the bind Gunicorn will use: arguments, then a literal in the config, then its default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    assert.deepEqual(plannedBinds({ type: 'gunicorn', app: 'a:a' }, { ...ctx, folderPath: dir }), ['127.0.0.1:8000']);
    assert.deepEqual(plannedBinds({ type: 'gunicorn', app: 'a:a' }, { ...ctx, folderPath: dir, bind: ':9' }), [':9']);
    writeFileSync(join(dir, 'gunicorn.conf.py'), 'bind = "127.0.0.1:8123"\n');
    assert.deepEqual(plannedBinds({ type: 'gunicorn', app: 'a:a' }, { ...ctx, folderPath: dir }), ['127.0.0.1:8123']);
    assert.deepEqual(plannedBinds({ type: 'gunicorn', app: 'a:a', bind: '127.0.0.1:8124' }, { ...ctx, folderPath: dir }), ['127.0.0.1:8124']);
    assert.equal(plannedBinds({ type: 'gunicorn', app: 'a:a', config: 'python:my.conf' }, { ...ctx, folderPath: dir }), null);
  });

  it('names the stderr copy in the environment when asked', () => {
    assert.equal(taskLaunchPlan({ type: 'gunicorn', app: 'a:a' }, { ...ctx, stderrCopy: '/tmp/x' }).env.GUNICORN_LIVE_STDERR_COPY, '/tmp/x');
    assert.equal(taskLaunchPlan({ type: 'gunicorn', app: 'a:a' }, ctx).env.GUNICORN_LIVE_STDERR_COPY, undefined);
  });
});
