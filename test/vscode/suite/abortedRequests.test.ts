/// <reference types="mocha" />
// Issue #16 item 5(c): a request cut by Gunicorn's timeout has its real duration, counted as aborted. The
// workspace app launched through the real command (gunicorn.conf.py: timeout 3), its /slow view sleeps
// 30 s: the extension's store counts it once under its route, aborted, with p50/p95/p99 its real elapsed
// time (the client's send to the worker_exit event) — not a 500 with the app's SystemExit, nor a classic
// bucket's 7.5 s or 10 s.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LifecycleEvent } from '../../../extension/protocol/agent';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { alive, extensionApi, waitFor, workspaceFolder } from './helpers';

describe('An aborted request in VS Code', function () {
  this.timeout(120_000);
  let api: GunicornLiveApi;
  let pid: number | undefined;
  const config = () => vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);

  before(async () => {
    api = await extensionApi();
    await config().update('openDashboardOnLaunch', false, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await config().update('openDashboardOnLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGQUIT');
    await waitFor('no task left', () => api.launchedPids().length === 0, 20_000).catch(() => undefined);
  });

  it('a request the timeout kills counts once under its route, as aborted, with its real duration', async () => {
    const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch', { app: 'app:app' });
    assert.ok(result?.pid, 'the launch returned a master pid');
    pid = result.pid;
    const node = await waitFor('the launched server in the tree', () =>
      api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === pid && n.server.connected),
    45_000, () => (alive(pid!) ? undefined : `master ${pid} exited`));
    const store = api.hub()!.store;
    const id = node.server.id;
    await waitFor('two workers', () => (store.server(id)?.workers.length ?? 0) === 2, 30_000);
    const base = `http://${node.server.bind[0]}`;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${base}/`)).status, 200);

    const exits: Array<Extract<LifecycleEvent, { type: 'worker_exit' }>> = [];
    const onEvent = (serverId: string, e: LifecycleEvent) => { if (serverId === id && e.type === 'worker_exit') exits.push(e); };
    store.on('event', onEvent);
    try {
      const sent = Date.now() / 1000;
      const answer = await fetch(`${base}/slow`, { signal: AbortSignal.timeout(40_000) }).then((r) => r.status, () => null);
      assert.equal(answer, null, 'the client gets no response');
      const row = await waitFor('/slow in the routes', () => store.server(id)?.routes?.find((r) => r.route === '/slow'), 20_000);
      await waitFor('the worker_exit event', () => exits.length === 1, 10_000);
      assert.equal(exits[0].reason, 'timeout');
      const lived = exits[0].at - sent;
      assert.ok(lived >= 3 && lived <= 7, `the worker died ${lived} s after the send`);
      assert.deepEqual({ method: row.method, count: row.count, aborted: row.aborted, errors: row.errors },
        { method: 'GET', count: 1, aborted: 1, errors: 1 });
      for (const q of ['p50', 'p95', 'p99'] as const) {
        const got = row[q];
        assert.ok(got !== null && Math.abs(got - lived) <= lived * 0.022 + 0.3, `${q}: ${got} s, the request lived ${lived} s`);
      }
      assert.equal(store.server(id)!.routes!.find((r) => r.route === '/')?.aborted, 0);
      assert.equal(store.server(id)!.requestsTotal, 4);
    } finally {
      store.off('event', onEvent);
    }
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', id), true);
    await waitFor(`master ${pid} to exit`, () => !alive(pid!), 20_000);
  });
});
