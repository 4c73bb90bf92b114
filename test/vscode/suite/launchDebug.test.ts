/// <reference types="mocha" />
// Debugging a real Gunicorn with no Microsoft Python extension installed: the extension's own debug type
// runs Debian's debugpy adapter, a breakpoint in a Flask view stops the forked worker, the paused worker
// outlives the workspace's worker timeout, and the request completes after Continue. Also: a launch.json
// configuration waits for its preLaunchTask (the `gunicorn` task) until a worker booted.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../../../extension/vscode/debugpy';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import { installCommand, moduleVersion } from '../../../extension/vscode/python';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { alive, childPids, endDebugging, extensionApi, waitFor, workspaceFolder } from './helpers';

interface DapMessage {
  type: string;
  event?: string;
  body?: Record<string, unknown>;
}

const PROBE_CONFIG = 'Probe the app once Gunicorn is ready';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Debugging with debugpy (no Python extension)', function () {
  this.timeout(120_000);
  let api: GunicornLiveApi;
  const messages: Array<{ session: vscode.DebugSession; m: DapMessage }> = [];
  const sessions: vscode.DebugSession[] = [];
  const terminated = new Set<string>();
  const disposables: vscode.Disposable[] = [];
  const pidsToKill: number[] = [];
  const ws = () => workspaceFolder().uri.fsPath;
  /** The app's port and worker timeout, from the gunicorn.conf.py the harness wrote. */
  const conf = () => {
    const text = readFileSync(join(ws(), 'gunicorn.conf.py'), 'utf8');
    return { port: Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(text)?.[1]), timeout: Number(/^timeout = (\d+)$/m.exec(text)?.[1]) };
  };
  const events = (session: vscode.DebugSession, event: string) =>
    messages.filter((x) => x.session.id === session.id && x.m.type === 'event' && x.m.event === event).map((x) => x.m.body ?? {});
  const serverNode = (masterPid: number) =>
    api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === masterPid);

  before(async () => {
    api = await extensionApi();
    disposables.push(
      // Every message every debug adapter sends, as the Debug view would see it.
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({ onDidSendMessage: (m: DapMessage) => void messages.push({ session, m }) }),
      }),
      vscode.debug.onDidStartDebugSession((s) => void sessions.push(s)),
      vscode.debug.onDidTerminateDebugSession((s) => void terminated.add(s.id)),
    );
  });

  afterEach(function () {
    // What the debug adapters said, for reading after a failure (next to the suite's results).
    if (this.currentTest?.state !== 'failed') return;
    const out = join(dirname(process.env.GUNICORN_LIVE_VSCODE_RESULTS ?? join(tmpdir(), 'x')), 'vscode-dap-messages.json');
    writeFileSync(out, JSON.stringify(messages.map((x) => ({ session: x.session.name, ...x.m })), null, 1));
  });

  after(() => endDebugging(disposables, pidsToKill));

  it('a launch configuration with preLaunchTask "gunicorn: one worker" starts only once a worker booted', async () => {
    let masterPid = 0;
    let childrenWhenReady: number[] | undefined;
    const watching = vscode.Disposable.from(
      vscode.tasks.onDidStartTaskProcess((e) => {
        if (e.execution.task.name === 'gunicorn: one worker') masterPid = e.processId;
      }),
      // VS Code creates the debug adapter only after the preLaunchTask reported ready (the `$gunicorn`
      // background matcher's endsPattern): what the master's children are at this moment is the point.
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => {
          if (session.name === PROBE_CONFIG) childrenWhenReady = masterPid ? childPids(masterPid) : [];
          return undefined;
        },
      }),
    );
    try {
      // By name: the configuration in the workspace's .vscode/launch.json.
      assert.equal(await vscode.debug.startDebugging(workspaceFolder(), PROBE_CONFIG), true);
      assert.ok(masterPid > 0, 'the task started Gunicorn');
      pidsToKill.push(masterPid);
      assert.equal(childrenWhenReady?.length, 1, `one worker had booted when the task was ready (children: ${JSON.stringify(childrenWhenReady)})`);
      const probe = await waitFor('the probe\'s debug session', () => sessions.find((s) => s.name === PROBE_CONFIG));
      // probe.py makes one request, no retry: it answers only if Gunicorn listened when the task was ready.
      const line = await waitFor('the probe\'s output', () =>
        events(probe, 'output').filter((b) => b.category === 'stdout').map((b) => String(b.output)).join('').match(/^probe: .*$/m)?.[0], 30_000);
      assert.equal(line, 'probe: 200 hello from gunicorn-live\'s test workspace');
      // The task's server reports like any launched one, and Stop ends it.
      const node = await waitFor('the task\'s server in the tree', () => serverNode(masterPid), 30_000);
      assert.ok(api.launchedPids().includes(masterPid));
      assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
      await waitFor('the task\'s master to exit', () => !alive(masterPid), 20_000);
    } finally {
      watching.dispose();
    }
  });

  it('Launch with Debugger stops a forked worker at a breakpoint in a view, keeps it past the timeout, and Stop ends it', async () => {
    const { port, timeout } = conf();
    assert.ok(port > 0 && timeout > 0, 'the harness wrote bind and timeout into gunicorn.conf.py');
    const file = join(ws(), 'app.py');
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('return "hello from')) + 1;
    assert.ok(line > 0);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line - 1, 0)))]);
    // openDashboardOnLaunch off: the launch must leave the panel closed.
    api.panel()?.dispose();
    const settings = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    await settings.update('openDashboardOnLaunch', false, vscode.ConfigurationTarget.Workspace);
    let result: { name: string } | undefined;
    try {
      result = await vscode.commands.executeCommand<{ name: string } | undefined>('gunicornLive.launchWithDebugger', { app: 'app:app' });
    } finally {
      await settings.update('openDashboardOnLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(result?.name, 'Gunicorn Live: app:app (debug)');
    const root = await waitFor('the Gunicorn debug session', () => sessions.find((s) => s.name === result!.name && !s.parentSession));
    assert.equal(root.type, DEBUG_TYPE, 'our debugger: no Python Debugger extension here');
    const masterPid = await waitFor('debugpy\'s process event (the Gunicorn master)', () => events(root, 'process')[0]?.systemProcessId as number | undefined, 30_000);
    pidsToKill.push(masterPid);
    assert.deepEqual(api.debugLaunchedPids(), [masterPid]);
    // The worker is a forked child: debugpy announces it and the extension attaches a child session.
    const worker = await waitFor('a debug session for the forked worker', () => sessions.find((s) => s.parentSession?.id === root.id), 30_000);
    const [workerPid] = childPids(masterPid);
    assert.equal(worker.name, `Subprocess ${workerPid}`);
    assert.deepEqual(childPids(masterPid), [workerPid], 'one worker (debug launches force --workers 1)');
    // The agent reports the debugged server like any other.
    const node = await waitFor('the debugged server and its worker in the tree', () => {
      const n = serverNode(masterPid);
      return n && api.tree.getChildren(n).length === 1 ? n : undefined;
    }, 30_000);
    assert.equal(node.server.targetWorkers, 1);
    assert.equal(api.panel(), undefined, 'openDashboardOnLaunch=false opened no panel');

    const sent = Date.now();
    const answer = fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(60_000) })
      .then(async (r) => ({ status: r.status, text: await r.text(), ms: Date.now() - sent }));
    const stopped = await waitFor('the worker to stop at the breakpoint', () => events(worker, 'stopped')[0], 30_000);
    assert.equal(stopped.reason, 'breakpoint');
    const threadId = stopped.threadId as number;
    const trace = await worker.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 }) as { stackFrames: Array<{ name: string; line: number; source?: { path?: string } }> };
    // In a remote window (code-server) the extension host hands source paths over as vscode-remote URIs.
    const framePath = trace.stackFrames[0].source?.path ?? '';
    const path = /^[\w-]+:\/\//.test(framePath) ? vscode.Uri.parse(framePath).path : framePath;
    assert.deepEqual([path, trace.stackFrames[0].line, trace.stackFrames[0].name], [file, line, 'index']);
    const focused = await waitFor('VS Code to focus the stopped frame', () => {
      const item = vscode.debug.activeStackItem;
      return item instanceof vscode.DebugStackFrame && item.session.id === worker.id ? item : undefined;
    }, 10_000);
    assert.equal(focused.threadId, threadId);

    // Paused longer than the workspace's worker timeout: without --timeout 0 the master would abort it.
    await sleep((timeout + 2.5) * 1000);
    assert.ok(alive(workerPid), 'the paused worker is alive');
    assert.deepEqual(childPids(masterPid), [workerPid], 'and was not replaced');
    assert.deepEqual(api.tree.getChildren(serverNode(masterPid)!).map((n) => n.kind === 'worker' && n.worker.pid), [workerPid]);

    await worker.customRequest('continue', { threadId });
    const response = await answer;
    assert.equal(response.status, 200);
    assert.equal(response.text, 'hello from gunicorn-live\'s test workspace\n');
    assert.ok(response.ms > timeout * 1000, `the request waited at the breakpoint (${response.ms} ms)`);

    // Stop Server on a debugged master ends its debug session, and debugpy ends Gunicorn's process group.
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor('the master and the worker to exit', () => !alive(masterPid) && !alive(workerPid), 20_000);
    await waitFor('the server to leave the tree', () => !serverNode(masterPid), 15_000);
    // Both sessions end (the worker's with its parent); what is left is named if they do not.
    const left = () => [root, worker].filter((s) => !terminated.has(s.id)).map((s) => s.name);
    await waitFor('the Gunicorn and worker debug sessions to end', () => left().length === 0, 30_000)
      .catch((err: Error) => {
        // CI keeps only the console: the adapters' last words go into the message.
        const last = messages.slice(-8).map((x) => `${x.session.name}: ${x.m.type} ${x.m.event ?? (x.m as { command?: string }).command ?? ''}`);
        throw new Error(`${err.message}; still running: ${left().join(', ')}; active: ${vscode.debug.activeDebugSession?.name ?? 'none'}; last DAP messages: ${last.join(' | ')}`);
      });
    assert.deepEqual(api.debugLaunchedPids(), [], 'the ended session is forgotten');
  });

  it('says debugpy is missing, with its install command, when the interpreter lacks it', async () => {
    // Debian's Python without its site packages, gunicorn put back: a real interpreter that has
    // Gunicorn but not debugpy.
    const dir = mkdtempSync(join(tmpdir(), 'gunicorn-live-nodebugpy-'));
    const site = join(dir, 'site');
    mkdirSync(site);
    const gunicornDir = dirname(execFileSync('/usr/bin/python3', ['-c', 'import gunicorn; print(gunicorn.__file__)'], { encoding: 'utf8' }).trim());
    symlinkSync(gunicornDir, join(site, 'gunicorn'));
    const python = join(dir, 'python3');
    writeFileSync(python, `#!/bin/sh\nPYTHONPATH='${site}' exec /usr/bin/python3 -S "$@"\n`, { mode: 0o755 });
    const settings = vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
    const before = sessions.length;
    await settings.update('pythonPath', python, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      assert.ok('version' in await moduleVersion(python, 'gunicorn'));
      assert.deepEqual(await moduleVersion(python, 'debugpy'), { error: 'ModuleNotFoundError: No module named \'debugpy\'' });
      assert.equal(await vscode.commands.executeCommand('gunicornLive.launchWithDebugger', { app: 'app:app' }), undefined);
      // A launch.json configuration with that interpreter is refused the same way, before any adapter runs.
      assert.equal(await vscode.debug.startDebugging(workspaceFolder(), {
        type: DEBUG_TYPE, request: 'launch', name: 'no debugpy', program: join(ws(), 'probe.py'), python,
      }), false);
      assert.equal(sessions.length, before, 'no debug session started');
    } finally {
      await settings.update('pythonPath', '/usr/bin/python3', vscode.ConfigurationTarget.WorkspaceFolder);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(installCommand(python, 'debugpy'), `${python} -m pip install debugpy`);
    const managed = existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED');
    assert.equal(installCommand('/usr/bin/python3', 'debugpy'), managed ? 'sudo apt-get install -y python3-debugpy' : '/usr/bin/python3 -m pip install debugpy');
  });

  it('an early exit under the debugger is a notification with Gunicorn\'s own reason and Show Output', async () => {
    const seen = api.notifications().length;
    const result = await vscode.commands.executeCommand<{ name: string } | undefined>('gunicornLive.launchWithDebugger', { app: 'no_such_module_gl:app' });
    assert.ok(result, 'the debug session started');
    // The debugger first stops on the uncaught exceptions (the worker's failed import, the master's exit):
    // the user presses Continue on each, and the server ends.
    const continued = new Set<unknown>();
    const notice = await waitFor('the early-exit notification', async () => {
      for (const { session, m } of messages) {
        if (m.type !== 'event' || m.event !== 'stopped' || continued.has(m) || terminated.has(session.id)) continue;
        continued.add(m);
        await Promise.resolve(session.customRequest('continue', { threadId: m.body?.threadId })).catch(() => undefined);
      }
      return api.notifications().slice(seen)
        .find((n) => n.kind === 'error' && n.message.includes('"no_such_module_gl:app (debug)" exited before it served'));
    }, 60_000).catch((err: Error) => {
      const seenEvents = messages.filter((x) => x.m.type === 'event' && x.m.event !== 'output').map((x) => `${x.session.name}:${x.m.event}${x.m.event === 'stopped' ? `(${String(x.m.body?.reason)}:${JSON.stringify(x.m.body?.text ?? x.m.body?.description ?? '')})` : ''}`);
      throw new Error(`${err.message}; events: ${seenEvents.slice(-25).join(', ')}; notices: ${JSON.stringify(api.notifications().slice(seen))}`);
    });
    assert.match(notice.message, /: ModuleNotFoundError: No module named 'no_such_module_gl'$/);
    assert.deepEqual(notice.actions, ['Show Output', 'Show Terminal']);
  });
});
