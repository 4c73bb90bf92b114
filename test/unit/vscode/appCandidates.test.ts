// App detection in a workspace: which files are Flask, Django, FastAPI apps or Gunicorn configs, and how each is run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
        ['mysite.wsgi:application', '', '', 'mysite'],
        // A plain project needs no ASGI: its asgi.py is offered last, as an alternative.
        ['mysite.asgi:application', '', UVICORN_WORKER, 'mysite'],
      ],
    );
    assert.deepEqual(found.map((c) => c.framework), [undefined, 'fastapi', 'flask', 'flask', 'django', 'django']);
    assert.deepEqual(found.filter((c) => c.alternative).map((c) => c.app), ['mysite.asgi:application']);
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

  describe('a Django project with wsgi.py and asgi.py (every startproject)', () => {
    const project = (extra: Array<{ rel: string; text: string }>) => detectApps([
      { rel: 'shop/shop/wsgi.py', text: 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n' },
      { rel: 'shop/shop/asgi.py', text: 'from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n' },
      { rel: 'shop/shop/settings.py', text: 'INSTALLED_APPS = [\n    "django.contrib.admin",\n    "orders",\n]\n' },
      ...extra,
    ]);
    const served = (found: ReturnType<typeof detectApps>) => found.filter((c) => !c.alternative).map((c) => [c.app, c.detail]);

    it('is served through WSGI when nothing needs ASGI, and says why', () => {
      const found = project([{ rel: 'shop/orders/views.py', text: 'def index(request):\n    return HttpResponse("ok")\n' }]);
      assert.deepEqual(served(found), [['shop.wsgi:application', 'Django WSGI — no async views or Channels found']]);
      assert.equal(found.find((c) => c.alternative)?.detail, 'Django ASGI, uvicorn worker — only needed for async views or Channels');
    });

    it('is served through ASGI under uvicorn when it has an async view', () => {
      const found = project([{ rel: 'shop/orders/views.py', text: 'async def index(request):\n    return HttpResponse("ok")\n' }]);
      assert.deepEqual(served(found), [['shop.asgi:application', 'Django ASGI, uvicorn worker — async views in shop/orders/views.py']]);
      assert.equal(found.find((c) => c.alternative)?.detail, 'Django WSGI — not chosen: async views in shop/orders/views.py need ASGI');
      assert.equal(found[0].workerClass, UVICORN_WORKER);
    });

    it('is served through ASGI when Channels is installed or ASGI_APPLICATION is set', () => {
      const channels = detectApps([
        { rel: 'shop/shop/wsgi.py', text: 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n' },
        { rel: 'shop/shop/asgi.py', text: 'from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n' },
        { rel: 'shop/shop/settings.py', text: 'INSTALLED_APPS = [\n    "daphne",\n    "channels",\n]\n' },
      ]);
      assert.deepEqual(served(channels).map(([app]) => app), ['shop.asgi:application']);
      const asgiApp = project([{ rel: 'shop/shop/routing.py', text: 'ASGI_APPLICATION = "shop.asgi.application"\n' }]);
      assert.match(served(asgiApp)[0][1], /ASGI_APPLICATION in shop\/shop\/routing\.py/);
    });

    it('does not take an async helper outside views and urls, nor another project\'s views, as a reason', () => {
      const found = project([
        { rel: 'shop/orders/tasks.py', text: 'async def refresh():\n    pass\n' },
        { rel: 'other/views.py', text: 'async def elsewhere(request):\n    pass\n' },
      ]);
      assert.deepEqual(served(found).map(([app]) => app), ['shop.wsgi:application']);
    });
  });
});
