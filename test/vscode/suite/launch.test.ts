/// <reference types="mocha" />
// The whole loop inside a real VS Code: the extension's command launches Debian's Gunicorn on the test
// workspace's Flask app as a `gunicorn` task, the agent reports to the hub in the extension host, the
// tree shows the master's real workers, signals go through the commands, the panel opens, and Stop ends it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import { gunicornVersion, installCommand, resolveInterpreter } from '../../../extension/vscode/python';
import type { ServerNode, WorkerNode } from '../../../extension/vscode/serversTree';
import { freePort } from '../harness/workspace';
import { alive, childPids, extensionApi, sorted, waitFor, workspaceFolder } from './helpers';

/** Half the default, so the samples' spacing shows the setting reached the agent. */
const SAMPLE_INTERVAL = 0.5;
/** The test app's port, from the gunicorn.conf.py the harness wrote. */
const appPort = () => Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(readFileSync(join(workspaceFolder().uri.fsPath, 'gunicorn.conf.py'), 'utf8'))?.[1]);

describe('Gunicorn Live in VS Code', function () {
  this.timeout(90_000);
  let api: GunicornLiveApi;
  let masterPid = 0;
  let serverId = '';
  /** Requests the tests sent to the launched server (before its workers are replaced). */
  let requestsSent = 0;

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
    await vscode.workspace.getConfiguration('gunicornLive').update('sampleInterval', undefined, vscode.ConfigurationTarget.Workspace);
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
    // Inline actions on a server in the tree, and our debugger for machines without the Python Debugger.
    const inline = manifest.contributes.menus['view/item/context']
      .filter((m: { when: string; group: string }) => m.when.includes('viewItem == gunicornServer') && m.group.startsWith('inline'))
      .map((m: { command: string }) => m.command);
    assert.deepEqual(inline, ['gunicornLive.reload', 'gunicornLive.addWorker', 'gunicornLive.removeWorker', 'gunicornLive.stop']);
    assert.deepEqual(manifest.contributes.debuggers.map((d: { type: string; label: string }) => [d.type, d.label]), [['gunicorn-live-debugpy', 'Gunicorn (debugpy)']]);
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
      // The error's first action, "Install gunicorn…", opens a terminal with the command typed (not run).
      const opened = new Promise<vscode.Terminal>((resolve) => {
        const sub = vscode.window.onDidOpenTerminal((t) => {
          if (t.name === 'Install gunicorn') { resolve(t); sub.dispose(); }
        });
      });
      let terminal: vscode.Terminal | undefined;
      void opened.then((t) => (terminal = t));
      await waitFor('the install action\'s terminal', async () => {
        if (!terminal) await vscode.commands.executeCommand('notification.acceptPrimaryAction');
        return terminal;
      }, 10_000);
      assert.equal((terminal!.creationOptions as vscode.TerminalOptions).cwd?.toString(), workspaceFolder().uri.toString());
      terminal!.dispose();
    } finally {
      await config.update('pythonPath', '/usr/bin/python3', vscode.ConfigurationTarget.WorkspaceFolder);
    }
    // The install action types the command that works for that interpreter.
    assert.equal(installCommand('/usr/bin/python3'), existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED') ? 'sudo apt-get install -y python3-gunicorn' : '/usr/bin/python3 -m pip install gunicorn');
    assert.equal(installCommand('/home/me/.venv/bin/python'), '/home/me/.venv/bin/python -m pip install gunicorn');
  });

  it('falls back to python3 on PATH when neither the Python extension nor gunicornLive.pythonPath names one', async () => {
    // ms-python.python cannot be installed here (no marketplace), so its branch is not exercised.
    assert.equal(vscode.extensions.getExtension('ms-python.python'), undefined);
    const config = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    assert.deepEqual(await resolveInterpreter(workspaceFolder()), { path: '/usr/bin/python3', source: 'gunicornLive.pythonPath' });
    await config.update('pythonPath', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      assert.deepEqual(await resolveInterpreter(workspaceFolder()), { path: 'python3', source: 'PATH' });
    } finally {
      await config.update('pythonPath', '/usr/bin/python3', vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  it('offers the detected app as a `gunicorn` task', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'gunicorn' });
    const detected = tasks.find((t) => t.name === 'app:app');
    assert.ok(detected, `the detected app is offered (got ${tasks.map((t) => t.name).join(', ')})`);
    assert.equal(detected.isBackground, true);
    const exec = detected.execution as vscode.ProcessExecution;
    assert.equal(exec.process, '/usr/bin/python3');
    assert.match(exec.args[0], /server-agent\/launcher\/gunicorn$/);
    assert.equal(exec.args.at(-1), 'app:app');
    assert.equal(exec.options?.env?.GUNICORN_LIVE_URL, api.hub()?.agentUrl);
    // The one written in tasks.json is there too, filled in by the provider's resolveTask.
    const configured = tasks.find((t) => t.name === 'gunicorn: one worker');
    assert.ok(configured, 'the tasks.json task is offered');
    const resolved = configured.execution as vscode.ProcessExecution | undefined;
    assert.ok(resolved, 'the tasks.json task has an execution');
    assert.deepEqual(resolved.args.slice(3), ['--workers', '1', 'app:app']);
  });

  it('launches a real Gunicorn whose workers show in the tree (asking which app, once)', async () => {
    // gunicornLive.sampleInterval reaches the agent (GUNICORN_LIVE_INTERVAL): checked by the samples' spacing.
    await vscode.workspace.getConfiguration('gunicornLive').update('sampleInterval', SAMPLE_INTERVAL, vscode.ConfigurationTarget.Workspace);
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
    // gunicornLive.openDashboardOnLaunch is on by default.
    await waitFor('the dashboard panel opened by the launch', () => api.panel(), 10_000);
  });

  it('samples at gunicornLive.sampleInterval', async () => {
    const gaps = await waitFor('eight samples', () => {
      const points = api.hub()!.store.history(serverId);
      return points.length >= 8 ? points.slice(-8).map((p, i, all) => (i ? p.at - all[i - 1].at : 0)).slice(1).sort((a, b) => a - b) : undefined;
    }, 20_000);
    const median = gaps[Math.floor(gaps.length / 2)];
    assert.ok(Math.abs(median - SAMPLE_INTERVAL) < 0.15, `samples ${median.toFixed(2)} s apart (setting: ${SAMPLE_INTERVAL} s; gaps ${gaps.map((g) => g.toFixed(2)).join(' ')})`);
  });

  it('shows workers, requests per second and 5xx errors in the status bar; a click opens the panel', async () => {
    await waitFor('the status bar text', () => /^\$\(server-process\) 2 workers · [\d.]+ req\/s · 0 errors$/.test(api.statusBarText()), 10_000);
    const port = appPort();
    // Real traffic: three requests fail with a 500 (the app raises), the rest succeed.
    const failed: number[] = [];
    for (let i = 0; i < 3; i++) failed.push((await fetch(`http://127.0.0.1:${port}/boom`)).status);
    assert.deepEqual(failed, [500, 500, 500]);
    requestsSent += 3;
    // Load while the status bar is read: the rate is the newest sample's. Bounded: 8 s at most.
    let loading = true;
    const load = (async () => {
      const until = Date.now() + 8000;
      while (loading && Date.now() < until) {
        assert.equal((await fetch(`http://127.0.0.1:${port}/work`)).status, 200);
        requestsSent += 1;
      }
    })();
    try {
      await waitFor('3 errors and a request rate above 0 in the status bar', () => {
        const m = /^\$\(server-process\) 2 workers · ([\d.]+) req\/s · 3 errors$/.exec(api.statusBarText());
        return m && Number(m[1]) > 0;
      }, 8000);
    } finally {
      loading = false;
      await load;
    }
    assert.equal(api.statusBarCommand(), 'gunicornLive.openDashboard');
  });

  it('shows each worker\'s CPU, RSS (as /proc has it) and requests in the tree', async () => {
    const workers = () => api.tree.getChildren(serverNode()!).filter((n): n is WorkerNode => n.kind === 'worker');
    await waitFor(`the workers' requests to add up to the ${requestsSent} sent`, () =>
      workers().reduce((sum, n) => sum + n.worker.requests, 0) === requestsSent, 10_000);
    for (const node of workers()) {
      const description = String(api.tree.getTreeItem(node).description);
      const m = /^CPU [\d.]+ % · RSS ([\d.]+) MiB · (\d+) req · (idle|busy)$/.exec(description);
      assert.ok(m, `worker ${node.worker.pid}: "${description}"`);
      assert.equal(Number(m[2]), node.worker.requests);
      const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${node.worker.pid}/status`, 'utf8'))?.[1]);
      assert.ok(Math.abs(Number(m[1]) * 1024 - rssKiB) / rssKiB < 0.2, `worker ${node.worker.pid}: RSS ${m[1]} MiB shown, ${rssKiB} KiB in /proc`);
    }
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

  it('Reopen Logs (USR1) makes Gunicorn reopen its log files, as after a logrotate', async () => {
    const accessLog = join(workspaceFolder().uri.fsPath, 'access.log');
    await waitFor('the access log', () => existsSync(accessLog));
    renameSync(accessLog, `${accessLog}.1`);
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.reopenLogs', serverId), true);
    // Until the workers reopen, they keep writing to the renamed file; after, a new access.log holds the line.
    await waitFor('a request logged in a new access.log', async () => {
      assert.equal((await fetch(`http://127.0.0.1:${appPort()}/?after=usr1`)).status, 200);
      return existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/?after=usr1');
    }, 15_000);
    // The master reports the signal with its next sample: it may arrive after the workers have reopened.
    await waitFor('the master\'s SIGUSR1 in the events', () =>
      api.hub()!.store.server(serverId)!.events.some((e) => e.type === 'signal' && e.signal === 'SIGUSR1'), 10_000);
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

  it('Stop Server after USR2 ends both masters (the new one is not the task\'s) and all their workers', async () => {
    // USR2 through the hub: Gunicorn forks a new master, which runs beside the old one until stopped.
    assert.deepEqual(await api.hub()!.sendSignal(serverId, 'USR2'), { ok: true });
    const newMaster = await waitFor('the new master as the server\'s master', () => {
      const pid = api.hub()!.store.server(serverId)?.masterPid;
      return pid && pid !== masterPid ? pid : undefined;
    }, 30_000);
    assert.ok(childPids(masterPid).includes(newMaster), 'the new master is the old one\'s child');
    await waitFor('the new master\'s two workers', () => childPids(newMaster).length === 2, 20_000);
    const workers = [...childPids(masterPid), ...childPids(newMaster)];
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', serverId), true);
    await waitFor('both masters to exit', () => !alive(masterPid) && !alive(newMaster), 20_000);
    assert.deepEqual(workers.filter(alive), []);
    await waitFor('the tree to be empty', () => api.tree.getChildren().length === 0, 10_000);
    await waitFor('the task to end', () => api.launchedPids().length === 0, 10_000);
  });
  it('attaches a server started elsewhere with the shown environment, and stops it through its agent', async () => {
    const text = await vscode.commands.executeCommand<string>('gunicornLive.attach');
    // Shown read-only: nothing for VS Code to ask to save (on close, or before a debug session starts).
    const shown = vscode.window.activeTextEditor?.document;
    assert.equal(shown?.uri.scheme, 'gunicorn-live');
    assert.equal(shown?.getText(), text);
    assert.equal(shown?.isDirty, false);
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
