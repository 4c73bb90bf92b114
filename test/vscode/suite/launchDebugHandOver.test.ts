/// <reference types="mocha" />
// The hand-over to the Python Debugger extension (ms-python.debugpy): when it is installed, "Launch with
// Debugger" starts a session of its type `debugpy` with the same configuration as ours, and a breakpoint
// stops the forked worker. Runs only in the harness's hand-over pass, where a stand-in with that id and
// type is installed (test/vscode/standin-debugpy); elsewhere it is skipped.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { alive, childPids, endDebugging, extensionApi, waitFor, workspaceFolder } from './helpers';

interface DapMessage { type: string; event?: string; body?: Record<string, unknown> }

describe('Hand-over to the Python Debugger extension (ms-python.debugpy stand-in)', function () {
  this.timeout(90_000);
  const messages: Array<{ session: vscode.DebugSession; m: DapMessage }> = [];
  const sessions: vscode.DebugSession[] = [];
  const disposables: vscode.Disposable[] = [];
  const pidsToKill: number[] = [];
  const appFile = () => join(workspaceFolder().uri.fsPath, 'app.py');
  const events = (session: vscode.DebugSession, event: string) =>
    messages.filter((x) => x.session.id === session.id && x.m.type === 'event' && x.m.event === event).map((x) => x.m.body ?? {});

  before(function () {
    if (!vscode.extensions.getExtension('ms-python.debugpy')) this.skip();
    disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({ onDidSendMessage: (m: DapMessage) => void messages.push({ session, m }) }),
      }),
      vscode.debug.onDidStartDebugSession((s) => void sessions.push(s)),
    );
  });

  after(() => endDebugging(disposables, pidsToKill));

  it('Launch with Debugger starts a `debugpy` session with our configuration, and a breakpoint stops the worker', async () => {
    const api = await extensionApi();
    const source = readFileSync(appFile(), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes('return "hello from')) + 1;
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(appFile()), new vscode.Position(line - 1, 0)))]);
    const result = await vscode.commands.executeCommand<{ name: string } | undefined>('gunicornLive.launchWithDebugger', { app: 'app:app' });
    assert.equal(result?.name, 'Gunicorn Live: app:app (debug)');
    const root = await waitFor('the Gunicorn debug session', () => sessions.find((s) => s.name === result!.name && !s.parentSession));
    assert.equal(root.type, 'debugpy', 'the Python Debugger\'s type');
    const c = root.configuration;
    const agentDir = String(c.env.PYTHONPATH).split(':')[0];
    assert.deepEqual(
      [c.request, c.python, c.subProcess, c.justMyCode, c.console, c.gunicornLiveLaunch, c.rules],
      ['launch', '/usr/bin/python3', true, true, 'integratedTerminal', true, [{ path: `${agentDir}/gunicorn_live/pause_point.py`, include: true }, { path: agentDir, include: false }]],
    );
    assert.match(c.program, /\/server-agent\/launcher\/gunicorn$/);
    assert.deepEqual(c.args.slice(-5), ['--workers', '1', '--timeout', '0', 'app:app']);
    assert.ok(c.env.GUNICORN_LIVE_TOKEN, 'the agent\'s environment');

    const masterPid = await waitFor('the Gunicorn master\'s pid', () => events(root, 'process')[0]?.systemProcessId as number | undefined, 30_000);
    pidsToKill.push(masterPid);
    assert.deepEqual(api.debugLaunchedPids(), [masterPid], 'Stop Server knows the session');
    const worker = await waitFor('the worker\'s debug session', () => sessions.find((s) => s.parentSession?.id === root.id), 30_000);
    assert.equal(worker.type, 'debugpy');
    assert.equal(worker.name, `Subprocess ${childPids(masterPid)[0]}`);
    const port = Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(readFileSync(join(workspaceFolder().uri.fsPath, 'gunicorn.conf.py'), 'utf8'))?.[1]);
    const answer = fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(60_000) }).then(async (r) => [r.status, await r.text()]);
    const stopped = await waitFor('the worker to stop at the breakpoint', () => events(worker, 'stopped')[0], 30_000);
    assert.equal(stopped.reason, 'breakpoint');
    const trace = await worker.customRequest('stackTrace', { threadId: stopped.threadId, startFrame: 0, levels: 1 }) as { stackFrames: Array<{ name: string; line: number }> };
    assert.deepEqual([trace.stackFrames[0].name, trace.stackFrames[0].line], ['index', line]);
    await worker.customRequest('continue', { threadId: stopped.threadId });
    assert.deepEqual(await answer, [200, 'hello from gunicorn-live\'s test workspace\n']);

    const node = await waitFor('the debugged server in the tree', () => api.tree.getChildren().find((n) => n.kind === 'server' && n.server.masterPid === masterPid), 30_000);
    assert.equal(node.kind === 'server' && await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor('the master to exit', () => !alive(masterPid), 20_000);
  });
});
