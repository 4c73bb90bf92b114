/// <reference types="mocha" />
// Zero configuration on ordinary Django and FastAPI projects: detection finds them among the
// workspace's files (a project made by `django-admin startproject`, a FastAPI module), and the launch
// command serves each the way it needs: Django with the settings' default workers and timeout (no
// config file decides there), FastAPI with uvicorn's worker class, and a Flask factory named by a
// gunicorn.conf.py in a subfolder (Gunicorn runs in that folder).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { UVICORN_WORKER, type AppCandidate } from '../../../extension/vscode/appCandidates';
import { detectInFolder } from '../../../extension/vscode/appDetect';
import { rememberApp } from '../../../extension/vscode/settings';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { freePort } from '../harness/workspace';
import { alive, childPids, extensionApi, sorted, waitFor, workspaceFolder } from './helpers';

describe('Django and FastAPI projects', function () {
  this.timeout(90_000);
  let api: GunicornLiveApi;
  let found: AppCandidate[] = [];
  const started: number[] = [];
  const ws = () => workspaceFolder().uri.fsPath;
  const settings = () => vscode.workspace.getConfiguration('gunicornLive');

  /** Launches `app` through the command and waits for its workers in the tree. */
  async function launch(app: AppCandidate, args: string[], workers: number): Promise<ServerNode> {
    const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch', { app: app.app, workerClass: app.workerClass, cwd: app.cwd, args });
    assert.ok(result?.pid, `${app.app} launched`);
    started.push(result.pid);
    return waitFor(`${app.app} and its ${workers} workers in the tree`, () => {
      const node = api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === result.pid);
      const pids = node ? sorted(api.tree.getChildren(node).map((n) => (n.kind === 'worker' ? n.worker.pid : 0))) : [];
      return node && pids.length === workers && JSON.stringify(pids) === JSON.stringify(childPids(result.pid)) ? node : undefined;
    }, 45_000, () => (alive(result.pid) ? undefined : `${app.app}'s master exited (see its task terminal)`));
  }

  async function stop(node: ServerNode): Promise<void> {
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor('the master to exit', () => !alive(node.server.masterPid), 20_000);
  }

  before(async () => {
    api = await extensionApi();
    mkdirSync(join(ws(), 'djsite'));
    execFileSync('/usr/bin/python3', ['-m', 'django', 'startproject', 'djsite', join(ws(), 'djsite')]);
    mkdirSync(join(ws(), 'fastsvc'));
    writeFileSync(join(ws(), 'fastsvc', 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\nasync def root():\n    return {"hello": "fastapi"}\n');
  });

  after(async () => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await settings().update('defaultWorkers', undefined, vscode.ConfigurationTarget.Workspace);
    await settings().update('defaultTimeout', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(join(ws(), 'djsite'), { recursive: true, force: true });
    rmSync(join(ws(), 'fastsvc'), { recursive: true, force: true });
    rmSync(join(ws(), 'factorysvc'), { recursive: true, force: true });
  });

  it('detects the Django project (WSGI and ASGI) and the FastAPI app among the workspace\'s files', async () => {
    found = await detectInFolder(workspaceFolder());
    // A plain startproject needs no ASGI: WSGI serves it, and asgi.py is offered last, as an alternative.
    assert.deepEqual(found.filter((c) => c.app !== 'app:app').map((c) => [c.app, c.workerClass, c.cwd, Boolean(c.alternative)]), [
      ['djsite.wsgi:application', '', 'djsite', false],
      ['fastsvc.main:app', UVICORN_WORKER, '', false],
      ['djsite.asgi:application', UVICORN_WORKER, 'djsite', true],
    ]);
    assert.equal(found.find((c) => c.app === 'djsite.wsgi:application')?.detail, 'Django WSGI — no async views or Channels found');
  });

  it('serves Django through ASGI once the project has an async view', async () => {
    const views = join(ws(), 'djsite', 'djsite', 'views.py');
    writeFileSync(views, 'from django.http import HttpResponse\n\n\nasync def ping(request):\n    return HttpResponse("pong")\n');
    try {
      const now = (await detectInFolder(workspaceFolder())).filter((c) => c.cwd === 'djsite');
      assert.deepEqual(now.map((c) => [c.app, Boolean(c.alternative), c.detail]), [
        ['djsite.asgi:application', false, 'Django ASGI, uvicorn worker — async views in djsite/djsite/views.py'],
        ['djsite.wsgi:application', true, 'Django WSGI — not chosen: async views in djsite/djsite/views.py need ASGI'],
      ]);
    } finally {
      rmSync(views);
    }
  });

  it('Change App… offers every way to serve the folder, saves the pick, and the next launch serves it', async () => {
    const keys = ['app', 'config', 'workerClass', 'cwd', 'bind'] as const;
    const folderSettings = () => vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    const saved = keys.map((k) => folderSettings().inspect<string>(k)?.workspaceFolderValue);
    const before = api.quickPicks().length;
    const changing = vscode.commands.executeCommand<AppCandidate | undefined>('gunicornLive.changeApp');
    const shown = await waitFor('the Change App QuickPick', () => api.quickPicks().slice(before).find((p) => p.title.includes('which app should Gunicorn serve')), 20_000);
    const index = shown.items.findIndex((i) => i.label === 'djsite.wsgi:application');
    assert.ok(index >= 0, shown.items.map((i) => i.label).join(', '));
    assert.equal(shown.items[index].detail, 'Django WSGI — no async views or Channels found');
    assert.deepEqual(shown.items.filter((i) => i.description === 'alternative').map((i) => [i.label, i.detail]),
      [['djsite.asgi:application', 'Django ASGI, uvicorn worker — only needed for async views or Channels']]);
    assert.match(shown.items.at(-1)!.label, /Enter module:variable/);
    for (let i = 0; i < index; i += 1) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const picked = await changing;
    assert.equal(picked?.app, 'djsite.wsgi:application');
    try {
      assert.deepEqual(keys.slice(0, 4).map((k) => folderSettings().inspect<string>(k)?.workspaceFolderValue), ['djsite.wsgi:application', undefined, undefined, 'djsite']);
      const port = await freePort();
      await folderSettings().update('bind', `127.0.0.1:${port}`, vscode.ConfigurationTarget.WorkspaceFolder);
      const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch');
      assert.ok(result?.pid, 'the saved app launched');
      started.push(result.pid);
      const task = vscode.tasks.taskExecutions.find((e) => e.task.name === 'djsite.wsgi:application')?.task.execution as vscode.ProcessExecution;
      assert.equal(task.args.at(-1), 'djsite.wsgi:application');
      assert.equal(task.options?.cwd, join(ws(), 'djsite'));
      const res = await waitFor('Django\'s start page', async () => {
        const r = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      }, 45_000, () => (alive(result.pid) ? undefined : 'the master exited (see its task terminal)'));
      assert.match(await res.text(), /The install worked successfully!/);
      const node = await waitFor('the server in the tree', () => api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === result.pid), 30_000);
      // Django through WSGI: Gunicorn's own sync worker, not uvicorn's.
      assert.equal(node.server.workerClass, 'sync');
      await stop(node);
    } finally {
      for (const [i, k] of keys.entries()) await folderSettings().update(k, saved[i], vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  it('serves the Django project from manage.py\'s folder with gunicornLive.defaultWorkers and defaultTimeout', async () => {
    await settings().update('defaultWorkers', 3, vscode.ConfigurationTarget.Workspace);
    await settings().update('defaultTimeout', 7, vscode.ConfigurationTarget.Workspace);
    const django = found.find((c) => c.app === 'djsite.wsgi:application')!;
    const port = await freePort();
    const node = await launch(django, ['--bind', `127.0.0.1:${port}`], 3);
    assert.equal(node.server.targetWorkers, 3);
    // The task's command line (the master's own may be renamed by setproctitle where it is installed).
    const task = vscode.tasks.taskExecutions.find((e) => e.task.name === django.app)?.task.execution as vscode.ProcessExecution;
    assert.deepEqual(task.args.slice(3), ['--workers', '3', '--timeout', '7', '--bind', `127.0.0.1:${port}`, 'djsite.wsgi:application']);
    assert.equal(task.options?.cwd, join(ws(), 'djsite'));
    // Django's own start page (DEBUG is on in a new project): the app really loaded from its folder.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /The install worked successfully!/);
    await stop(node);
  });

  it('serves the FastAPI app with uvicorn\'s worker class', async () => {
    const fastapi = found.find((c) => c.app === 'fastsvc.main:app')!;
    // The workspace's gunicorn.conf.py is in play here: its bind and its two workers.
    const port = Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(readFileSync(join(ws(), 'gunicorn.conf.py'), 'utf8'))?.[1]);
    const node = await launch(fastapi, [], 2);
    assert.equal(node.server.workerClass, UVICORN_WORKER);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: 'fastapi' });
    await stop(node);
  });

  it('serves a Flask app factory named by a gunicorn.conf.py in a subfolder, remembered as the choice', async () => {
    const dir = join(ws(), 'factorysvc');
    const port = await freePort();
    mkdirSync(dir);
    writeFileSync(join(dir, 'factory.py'), 'from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    app.add_url_rule("/", "index", lambda: "made by create_app")\n    return app\n');
    writeFileSync(join(dir, 'gunicorn.conf.py'), `wsgi_app = "factory:create_app()"\nbind = "127.0.0.1:${port}"\nworkers = 1\n`);
    const conf = (await detectInFolder(workspaceFolder())).find((c) => c.cwd === 'factorysvc' && c.config);
    assert.deepEqual([conf?.app, conf?.config], ['', 'gunicorn.conf.py']);
    // What the QuickPick does with a choice; the launch then takes it from the folder's settings.
    const keys = ['app', 'config', 'workerClass', 'cwd'] as const;
    const folderSettings = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    const before = keys.map((k) => folderSettings.inspect<string>(k)?.workspaceFolderValue);
    await rememberApp(workspaceFolder(), conf!);
    try {
      const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch');
      assert.ok(result?.pid, 'the config launched');
      started.push(result.pid);
      const node = await waitFor('its one worker in the tree', () => {
        const n = api.tree.getChildren().find((x): x is ServerNode => x.kind === 'server' && x.server.masterPid === result.pid);
        return n && api.tree.getChildren(n).length === 1 ? n : undefined;
      }, 45_000, () => (alive(result.pid) ? undefined : 'the master exited (see its task terminal)'));
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await res.text(), 'made by create_app');
      assert.deepEqual(childPids(result.pid), api.tree.getChildren(node).map((n) => (n.kind === 'worker' ? n.worker.pid : 0)));
      await stop(node);
    } finally {
      const c = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
      for (const [i, k] of keys.entries()) await c.update(k, before[i], vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });
});
