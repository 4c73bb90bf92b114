// App detection in a workspace: which files are Flask, Django, FastAPI apps or Gunicorn configs, and how each is run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectApps, UVICORN_WORKER } from '../../../extension/vscode/appCandidates';
import { gunicornCommand } from '../../../extension/vscode/gunicornCommand';

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
    const plan = gunicornCommand(
      { type: 'gunicorn', app: conf.app, config: conf.config, cwd: conf.cwd },
      { python: '/usr/bin/python3', folderPath: '/srv/proj', agentUrl: 'ws://127.0.0.1:9/ws/agent', token: 't', sampleInterval: 1, defaultWorkers: 2, defaultTimeout: 30 },
    );
    assert.equal(plan.cwd, '/srv/proj/svc');
    assert.equal(plan.env.GUNICORN_LIVE_USER_CONFIG, '/srv/proj/svc/gunicorn.conf.py');
  });
});
