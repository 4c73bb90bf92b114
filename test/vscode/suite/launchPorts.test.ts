/// <reference types="mocha" />
// The first ten minutes (issue #16, items 2 and 5): a taken port, launching twice, a relaunch's numbers,
// gunicornLive.bind/args, and an early exit said in Gunicorn's own words — each through the real commands.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import type { ServerNode, WorkerNode } from '../../../extension/vscode/serversTree';
import { freePort } from '../harness/workspace';
import { alive, extensionApi, waitFor, workspaceFolder } from './helpers';

const appPort = () => Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(readFileSync(join(workspaceFolder().uri.fsPath, 'gunicorn.conf.py'), 'utf8'))?.[1]);
const APP = { app: 'app:app' };

describe('Launching in VS Code: ports, relaunches, early exits', function () {
  this.timeout(120_000);
  let api: GunicornLiveApi;
  let squatter: Server | undefined;
  const launchedPids: number[] = [];
  const config = () => vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
  const noticesSince = (n: number) => api.notifications().slice(n);
  const launch = async (overrides = APP) => {
    const result = await vscode.commands.executeCommand<{ name: string; pid: number; bind?: string } | undefined>('gunicornLive.launch', overrides);
    if (result?.pid) launchedPids.push(result.pid);
    return result;
  };
  const serverOf = (pid: number) => waitFor(`the server of master ${pid} in the tree`, () =>
    api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === pid && n.server.connected), 45_000,
  () => (alive(pid) ? undefined : `master ${pid} exited`));
  const stop = async (pid: number) => {
    const node = await serverOf(pid);
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor(`master ${pid} to exit`, () => !alive(pid), 20_000);
    await waitFor('no task left', () => api.launchedPids().length === 0, 10_000);
  };

  before(async () => {
    api = await extensionApi();
    await config().update('openDashboardOnLaunch', false, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    squatter?.close();
    await config().update('openDashboardOnLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    for (const key of ['bind', 'args']) await config().update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    for (const pid of launchedPids) if (alive(pid)) process.kill(pid, 'SIGQUIT');
  });

  it('moves to the next free port when the configured one is taken, and says which', async () => {
    const port = appPort();
    // Another server on the port gunicorn.conf.py binds (a Django runserver on 8000, say).
    squatter = await new Promise<Server>((resolve) => { const s = createServer(); s.listen(port, '127.0.0.1', () => resolve(s)); });
    const seen = api.notifications().length;
    const result = await launch();
    assert.ok(result, 'the launch returned a result');
    const moved = Number(/^127\.0\.0\.1:(\d+)$/.exec(result.bind ?? '')?.[1]);
    assert.ok(moved > port && moved <= port + 50, `moved from ${port} to ${result.bind}`);
    assert.ok(noticesSince(seen).some((n) => n.kind === 'info' && n.message.includes(`port ${port} is in use, so "app:app" listens on 127.0.0.1:${moved}`)),
      JSON.stringify(noticesSince(seen)));
    await serverOf(result.pid);
    const res = await fetch(`http://127.0.0.1:${moved}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /hello from gunicorn-live/);
  });

  it('launching it again says it is already running and offers Restart / Open Dashboard', async () => {
    const running = launchedPids.at(-1)!;
    const seen = api.notifications().length;
    assert.equal(await launch(), undefined);
    assert.deepEqual(noticesSince(seen), [{ kind: 'info', message: 'Gunicorn Live: "app:app" is already running.', actions: ['Restart', 'Open Dashboard'] }]);
    assert.equal(vscode.tasks.taskExecutions.filter((e) => e.task.definition.type === 'gunicorn').length, 1);
    assert.deepEqual(api.launchedPids(), [running]);
  });

  it('a relaunch is a new server: no totals from the previous run; gunicornLive.bind and gunicornLive.args reach Gunicorn', async () => {
    const first = launchedPids.at(-1)!;
    const port = Number(/:(\d+)$/.exec((await serverOf(first)).server.bind[0])?.[1]);
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/boom`)).status, 500);
    await waitFor('2 errors in the status bar', () => / · 2 errors$/.test(api.statusBarText()), 15_000);
    await stop(first);
    squatter?.close();
    squatter = undefined;
    const bind = `127.0.0.1:${await freePort()}`;
    await config().update('bind', bind, vscode.ConfigurationTarget.WorkspaceFolder);
    await config().update('args', ['--workers', '1'], vscode.ConfigurationTarget.WorkspaceFolder);
    const again = await launch();
    assert.ok(again, 'the relaunch returned a result');
    const node = await serverOf(again.pid);
    assert.deepEqual(node.server.bind, [bind]);
    await waitFor('one worker (gunicornLive.args beats gunicorn.conf.py\'s 2)', () => api.tree.getChildren(node).filter((n): n is WorkerNode => n.kind === 'worker').length === 1, 20_000);
    await waitFor('the new run\'s status bar', () => /^\$\(server-process\) 1 workers · [\d.]+ req\/s · 0 errors$/.test(api.statusBarText()), 15_000);
    assert.equal(api.hub()!.store.server(node.server.id)!.requestsTotal, 0);
    assert.equal(api.hub()!.store.history(node.server.id).every((p) => p.at >= node.server.startedAt - 1), true);
    assert.equal((await fetch(`http://${bind}/`)).status, 200);
    await stop(again.pid);
  });

  it('an early exit is a toast with Gunicorn\'s own reason and Show Output, and no panel waits for it', async () => {
    api.panel()?.dispose();
    await config().update('openDashboardOnLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    const seen = api.notifications().length;
    assert.equal(await launch({ app: 'nope_missing:app' }), undefined);
    const errors = noticesSince(seen).filter((n) => n.kind === 'error');
    assert.deepEqual(errors, [{
      kind: 'error', message: 'Gunicorn Live: Gunicorn "nope_missing:app" exited before it served: ModuleNotFoundError: No module named \'nope_missing\'',
      actions: ['Show Output', 'Show Terminal'],
    }]);
    assert.equal(api.panel(), undefined);
  });

  it('also when gunicorn.conf.py computes its bind (asked of the interpreter, not read as text)', async () => {
    for (const key of ['bind', 'args']) await config().update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    const conf = join(workspaceFolder().uri.fsPath, 'gunicorn.conf.py');
    const original = readFileSync(conf, 'utf8');
    const port = await freePort();
    const taken = await new Promise<Server>((resolve) => { const s = createServer(); s.listen(port, '127.0.0.1', () => resolve(s)); });
    // What a project reading its port from the environment looks like; no literal bind to read.
    writeFileSync(conf, original.replace(/^bind = .*$/m, `import os\nbind = os.environ.get("GL_TEST_UNSET_BIND", "127.0.0.1:%d" % ${port})`));
    try {
      const seen = api.notifications().length;
      const result = await launch();
      assert.ok(result, 'the launch returned a result');
      const moved = Number(/^127\.0\.0\.1:(\d+)$/.exec(result.bind ?? '')?.[1]);
      assert.ok(moved > port && moved <= port + 50, `moved from ${port} to ${result.bind}`);
      assert.ok(noticesSince(seen).some((n) => n.message.includes(`port ${port} is in use, so "app:app" listens on 127.0.0.1:${moved}`)), JSON.stringify(noticesSince(seen)));
      await serverOf(result.pid);
      assert.equal((await fetch(`http://127.0.0.1:${moved}/`)).status, 200);
      await stop(result.pid);
    } finally {
      writeFileSync(conf, original);
      taken.close();
    }
  });
});
