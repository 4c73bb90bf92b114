/// <reference types="mocha" />
// The extension's pure parts, checked inside the host too: app detection rules and the command line.
import * as assert from 'node:assert/strict';
import { detectApps, UVICORN_WORKER } from '../../../extension/vscode/appCandidates';
import { taskLaunchPlan } from '../../../extension/vscode/taskPlan';

describe('app detection', () => {
  it('finds Flask apps and factories, Django WSGI/ASGI, FastAPI and a config with wsgi_app', () => {
    const found = detectApps([
      { rel: 'app.py', text: 'from flask import Flask\napp = Flask(__name__)\n' },
      { rel: 'factory/__init__.py', text: 'import flask\ndef create_app():\n    return flask.Flask(__name__)\n' },
      { rel: 'mysite/mysite/wsgi.py', text: 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n' },
      { rel: 'mysite/mysite/asgi.py', text: 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")\nfrom django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n' },
      { rel: 'api/main.py', text: 'from fastapi import FastAPI\napi = FastAPI()\n' },
      { rel: 'gunicorn.conf.py', text: 'wsgi_app = "app:app"\nworkers = 3\n' },
      { rel: 'notes.py', text: '# mentions Flask( only in a comment\n' },
    ]);
    assert.deepEqual(
      found.map((c) => [c.app, c.config, c.workerClass, c.cwd]),
      [
        ['', 'gunicorn.conf.py', '', ''],
        ['api.main:api', '', UVICORN_WORKER, ''],
        ['app:app', '', '', ''],
        ['factory:create_app()', '', '', ''],
        ['mysite.asgi:application', '', UVICORN_WORKER, 'mysite'],
        ['mysite.wsgi:application', '', '', 'mysite'],
      ],
    );
  });

  it('runs a nested gunicorn.conf.py in its own folder, with the config named relative to it', () => {
    const [conf] = detectApps([{ rel: 'svc/gunicorn.conf.py', text: 'wsgi_app = "app:app"\n' }]);
    assert.deepEqual([conf.app, conf.config, conf.cwd], ['', 'gunicorn.conf.py', 'svc']);
    const plan = taskLaunchPlan(
      { type: 'gunicorn', app: conf.app, config: conf.config, cwd: conf.cwd },
      { python: '/usr/bin/python3', folderPath: '/srv/proj', agentUrl: 'ws://127.0.0.1:9/ws/agent', token: 't', sampleInterval: 1, defaultWorkers: 2, defaultTimeout: 30 },
    );
    assert.equal(plan.cwd, '/srv/proj/svc');
    assert.equal(plan.env.GUNICORN_LIVE_USER_CONFIG, '/srv/proj/svc/gunicorn.conf.py');
  });
});

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
