/// <reference types="mocha" />
// The whole loop inside a real VS Code: the extension's command launches Debian's Gunicorn on the test
// workspace's Flask app as a `gunicorn` task, the agent reports to the hub in the extension host, the
// tree shows the master's real workers, signals go through the commands, the panel opens, and Stop ends it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import { gunicornCommand } from '../../../extension/vscode/gunicornCommand';
import { debugConfiguration } from '../../../extension/vscode/launch';
import { gunicornVersion, installCommand } from '../../../extension/vscode/python';
import type { ServerNode, WorkerNode } from '../../../extension/vscode/serversTree';
import { freePort } from '../harness/workspace';
import { alive, childPids, extensionApi, sorted, waitFor, workspaceFolder } from './helpers';

describe('Gunicorn Live in VS Code', function () {
  this.timeout(90_000);
  let api: GunicornLiveApi;
  let masterPid = 0;
  let serverId = '';

  const serverNode = (): ServerNode | undefined =>
    api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === masterPid);
  const workerPids = (): number[] => {
    const node = serverNode();
    if (!node) return [];
    return sorted(api.tree.getChildren(node).map((n) => (n as WorkerNode).worker.pid));
  };
  /** The tree's workers once they equal the master's real children and number `count`. */
  const treeMatchesProcesses = (count: number) =>
    waitFor(`${count} workers in the tree equal to the master's children`, () => {
      const pids = workerPids();
      const real = childPids(masterPid);
      return pids.length === count && JSON.stringify(pids) === JSON.stringify(real) ? pids : undefined;
    });

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    // A failed test must not leave a server behind the window.
    if (masterPid && alive(masterPid)) process.kill(masterPid, 'SIGQUIT');
  });

  it('contributes its commands under the category "Gunicorn Live"', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['launch', 'launchWithDebugger', 'openDashboard', 'openDashboardInBrowser', 'attach', 'reload', 'reopenLogs', 'addWorker', 'removeWorker', 'stop']) {
      assert.ok(all.includes(`gunicornLive.${id}`), `gunicornLive.${id} is registered`);
    }
    const manifest = vscode.extensions.getExtension('gunicorn-live.gunicorn-live')!.packageJSON;
    const titles = manifest.contributes.commands.filter((c: { category: string }) => c.category === 'Gunicorn Live');
    assert.equal(titles.length, manifest.contributes.commands.length);
  });

  it('starts no hub until it is needed', () => {
    assert.equal(api.hub(), undefined);
  });

  it('says so, and launches nothing, when the interpreter cannot import gunicorn', async () => {
    const config = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    await config.update('pythonPath', '/nonexistent/python3', vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      assert.equal(await vscode.commands.executeCommand('gunicornLive.launch'), undefined);
      assert.deepEqual(await gunicornVersion('/nonexistent/python3'), { error: '/nonexistent/python3 was not found' });
      assert.equal(vscode.tasks.taskExecutions.length, 0);
      assert.equal(api.hub(), undefined);
    } finally {
      await config.update('pythonPath', '/usr/bin/python3', vscode.ConfigurationTarget.WorkspaceFolder);
    }
    // The install action types the command that works for that interpreter.
    assert.equal(installCommand('/usr/bin/python3'), existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED') ? 'sudo apt-get install -y python3-gunicorn' : '/usr/bin/python3 -m pip install gunicorn');
    assert.equal(installCommand('/home/me/.venv/bin/python'), '/home/me/.venv/bin/python -m pip install gunicorn');
  });

  it('Launch with Debugger asks for the Python Debugger when it is missing', async () => {
    const hasDebugger = Boolean(vscode.extensions.getExtension('ms-python.debugpy') ?? vscode.extensions.getExtension('ms-python.python'));
    if (hasDebugger) return; // a machine with the Python extension would really start debugging here
    assert.equal(await vscode.commands.executeCommand('gunicornLive.launchWithDebugger'), undefined);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });

  it('builds a debugpy configuration with one worker and no timeout', () => {
    const plan = gunicornCommand({ type: 'gunicorn', app: 'app:app' }, {
      python: '/usr/bin/python3', folderPath: '/w', agentUrl: 'ws://127.0.0.1:1/ws/agent', token: 't', sampleInterval: 1,
      defaultWorkers: 4, defaultTimeout: 30, debug: true,
    });
    const config = debugConfiguration('debugpy', 'n', '/usr/bin/python3', plan);
    assert.equal(config.module, 'gunicorn');
    assert.equal(config.request, 'launch');
    assert.equal(config.subProcess, true);
    assert.deepEqual(config.args.slice(2), ['--workers', '1', '--timeout', '0', 'app:app']);
    assert.equal(config.env.GUNICORN_LIVE_TOKEN, 't');
  });

  it('offers the detected app as a `gunicorn` task', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'gunicorn' });
    const detected = tasks.find((t) => t.name === 'app:app');
    assert.ok(detected, `the detected app is offered (got ${tasks.map((t) => t.name).join(', ')})`);
    assert.equal(detected.isBackground, true);
    const exec = detected.execution as vscode.ProcessExecution;
    assert.equal(exec.process, '/usr/bin/python3');
    assert.equal(exec.args.slice(0, 2).join(' '), '-m gunicorn');
    assert.equal(exec.args.at(-1), 'app:app');
    assert.equal(exec.options?.env?.GUNICORN_LIVE_URL, api.hub()?.agentUrl);
    // The one written in tasks.json is there too, filled in by the provider's resolveTask.
    const configured = tasks.find((t) => t.name === 'gunicorn: one worker');
    assert.ok(configured, 'the tasks.json task is offered');
    const resolved = configured.execution as vscode.ProcessExecution | undefined;
    assert.ok(resolved, 'the tasks.json task has an execution');
    assert.deepEqual(resolved.args.slice(4), ['--workers', '1', 'app:app']);
  });

  it('launches a real Gunicorn whose workers show in the tree (asking which app, once)', async () => {
    // Two apps make detection ambiguous: the launch asks with a QuickPick and remembers the answer.
    const second = join(workspaceFolder().uri.fsPath, 'zz_api.py');
    writeFileSync(second, 'from fastapi import FastAPI\napi = FastAPI()\n');
    const launching = vscode.commands.executeCommand<{ name: string; pid: number } | undefined>('gunicornLive.launch');
    let settled = false;
    void Promise.resolve(launching).finally(() => (settled = true));
    // The first item (app:app, sorted by path) is accepted the way a user presses Enter.
    await waitFor('the app QuickPick to be answered', async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled;
    }, 30_000);
    const result = await launching;
    rmSync(second);
    const remembered = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    assert.equal(remembered.get('app'), 'app:app');
    assert.ok(result, 'the launch command returned a result');
    assert.equal(result.name, 'app:app');
    masterPid = result.pid;
    assert.ok(api.launchedPids().includes(masterPid));
    const node = await waitFor('the server in the tree', () => serverNode(), 45_000,
      () => (alive(masterPid) ? undefined : 'the Gunicorn master exited at once (its output is in the task terminal)'));
    serverId = node.server.id;
    assert.equal(node.server.app, 'app:app');
    const item = api.tree.getTreeItem(node);
    assert.equal(item.contextValue, 'gunicornServer');
    await treeMatchesProcesses(2);
  });

  it('shows workers and rates in the status bar', async () => {
    await waitFor('the status bar text', () => /^\$\(server-process\) 2 workers · [\d.]+ req\/s · 0 errors$/.test(api.statusBarText()), 10_000);
  });

  it('Reload Workers (HUP) replaces every worker', async () => {
    const before = await treeMatchesProcesses(2);
    const ok = await vscode.commands.executeCommand<boolean>('gunicornLive.reload', serverId);
    assert.equal(ok, true);
    const after = await waitFor('two new workers after HUP', () => {
      const pids = workerPids();
      const real = childPids(masterPid);
      const fresh = pids.length === 2 && pids.every((p) => !before.includes(p)) && JSON.stringify(pids) === JSON.stringify(real);
      return fresh ? pids : undefined;
    });
    assert.equal(after.filter((p) => before.includes(p)).length, 0);
  });

  it('Add Worker (TTIN) and Remove Worker (TTOU) change the count by one', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.addWorker', serverId), true);
    await treeMatchesProcesses(3);
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.removeWorker', serverId), true);
    await treeMatchesProcesses(2);
  });

  it('opens the dashboard panel with a strict CSP, restricted to the bundle', async () => {
    await vscode.commands.executeCommand('gunicornLive.openDashboard');
    const panel = await waitFor('the dashboard panel', () => api.panel());
    assert.equal(panel.viewType, 'gunicornLive.dashboard');
    assert.equal(panel.title, 'Gunicorn Live');
    const roots = (panel.webview.options.localResourceRoots ?? []).map((u) => u.path);
    const extensionPath = vscode.extensions.getExtension('gunicorn-live.gunicorn-live')!.extensionUri.path;
    assert.deepEqual(roots, [`${extensionPath}/dist/webview`]);
    const html = panel.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    assert.match(csp, /connect-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it('jumps to code: a stack frame opens its file at the line', async () => {
    const file = join(workspaceFolder().uri.fsPath, 'app.py');
    const line = readFileSync(file, 'utf8').split('\n').indexOf('def work():') + 1;
    assert.equal(await vscode.commands.executeCommand('gunicornLive.openStackFrame', file, line), true);
    const editor = await waitFor('the editor on app.py', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.fsPath === file ? e : undefined;
    });
    assert.equal(editor.selection.active.line, line - 1);
    assert.equal(editor.document.lineAt(line - 1).text, 'def work():');
  });

  it('Stop Server ends the master and its workers, and the tree empties', async () => {
    const workers = childPids(masterPid);
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', serverId), true);
    await waitFor('the master to exit', () => !alive(masterPid), 20_000);
    assert.deepEqual(workers.filter(alive), []);
    await waitFor('the tree to be empty', () => api.tree.getChildren().length === 0, 10_000);
    await waitFor('the task to end', () => api.launchedPids().length === 0, 10_000);
  });
  it('attaches a server started elsewhere with the shown environment, and stops it through its agent', async () => {
    const text = await vscode.commands.executeCommand<string>('gunicornLive.attach');
    const hub = api.hub()!;
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^export (\w+)='([^']*)'$/gm)) env[m[1]] = m[2];
    assert.equal(env.GUNICORN_LIVE_URL, hub.agentUrl);
    assert.equal(env.GUNICORN_LIVE_TOKEN, hub.token);
    const shim = /^gunicorn -c '([^']+)'/m.exec(text)?.[1];
    assert.ok(shim && existsSync(shim), 'the instructions name the agent shim');
    const port = await freePort();
    // What a user would run in their own terminal, with the environment the command showed.
    const child = spawn('/usr/bin/python3', ['-m', 'gunicorn', '-c', shim, '--workers', '1', '--bind', `127.0.0.1:${port}`, 'app:app'], {
      cwd: workspaceFolder().uri.fsPath, env: { ...process.env, ...env }, stdio: 'ignore', detached: true,
    });
    try {
      const node = await waitFor('the attached server in the tree', () =>
        api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === child.pid), 45_000);
      assert.equal(api.launchedPids().includes(child.pid!), false);
      await waitFor('its worker in the tree', () => api.tree.getChildren(node).length === 1);
      // Not launched by this window, so Stop goes through the hub and the agent (SIGTERM to the master).
      assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
      await waitFor('the attached master to exit', () => child.exitCode !== null, 20_000);
      assert.equal(child.exitCode, 0);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
