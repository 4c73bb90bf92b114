/// <reference types="mocha" />
// Debugging a worker the way a user does it, with no Python extension installed (issue #16, item 1):
// F9 ("Debug: Toggle Breakpoint") in app.py sets a breakpoint that stops the forked worker; `breakpoint()`
// in a view stops it; "Raised Exceptions" ticked while the worker runs applies to that worker at once;
// Pause stops it, and a request waits until Continue. One "Launch with Debugger" serves all four.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../../../extension/vscode/debugpy';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import { alive, childPids, endDebugging, extensionApi, waitFor, workspaceFolder } from './helpers';

interface DapMessage {
  type: string;
  event?: string;
  command?: string;
  arguments?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

interface StackFrame { name: string; line: number; source?: { path?: string } }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Debugging a worker with the user\'s own gestures (no Python extension)', function () {
  this.timeout(90_000);
  let api: GunicornLiveApi;
  /** What the adapters sent (`sent`) and what VS Code sent them (`received`), per session. */
  const messages: Array<{ session: vscode.DebugSession; dir: 'sent' | 'received'; m: DapMessage }> = [];
  const sessions: vscode.DebugSession[] = [];
  const disposables: vscode.Disposable[] = [];
  const pidsToKill: number[] = [];
  let worker: vscode.DebugSession | undefined;
  let masterPid = 0;
  const appFile = () => join(workspaceFolder().uri.fsPath, 'app.py');
  /** 1-based line of the first line of app.py that contains `text`. */
  const lineOf = (text: string) => readFileSync(appFile(), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  const port = () => Number(/^bind = "127\.0\.0\.1:(\d+)"$/m.exec(readFileSync(join(workspaceFolder().uri.fsPath, 'gunicorn.conf.py'), 'utf8'))?.[1]);
  const events = (session: vscode.DebugSession, event: string) =>
    messages.filter((x) => x.dir === 'sent' && x.session.id === session.id && x.m.type === 'event' && x.m.event === event).map((x) => x.m.body ?? {});
  const requests = (session: vscode.DebugSession, command: string) =>
    messages.filter((x) => x.dir === 'received' && x.session.id === session.id && x.m.type === 'request' && x.m.command === command).map((x) => x.m.arguments ?? {});
  const responses = (session: vscode.DebugSession, command: string) =>
    messages.filter((x) => x.dir === 'sent' && x.session.id === session.id && x.m.type === 'response' && x.m.command === command).length;
  const get = (path: string) => {
    const sent = Date.now();
    const done = { value: undefined as undefined | { status: number; text: string; ms: number } };
    const promise = fetch(`http://127.0.0.1:${port()}${path}`, { signal: AbortSignal.timeout(60_000) })
      .then(async (r) => (done.value = { status: r.status, text: await r.text(), ms: Date.now() - sent }));
    return { promise, done };
  };
  /** The next `stopped` event of the worker after `since` stopped events, and its top frame. */
  async function nextStop(since: number, what: string) {
    const stopped = await waitFor(what, () => events(worker!, 'stopped')[since], 30_000).catch((err: Error) => {
      // What the worker's debugger said and was asked last, for reading a failure.
      const last = messages.filter((x) => x.session.id === worker!.id && x.m.event !== 'output').slice(-12)
        .map((x) => `${x.dir} ${x.m.type}:${x.m.command ?? x.m.event ?? ''}${x.m.arguments?.filters ? JSON.stringify(x.m.arguments.filters) : ''}`);
      throw new Error(`${err.message}; last DAP messages of the worker: ${last.join(' | ')}`);
    });
    const threadId = stopped.threadId as number;
    const trace = await worker!.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 }) as { stackFrames: StackFrame[] };
    const top = trace.stackFrames[0];
    // In a remote window (code-server) the extension host hands source paths over as vscode-remote URIs.
    const framePath = top.source?.path ?? '';
    const path = /^[\w-]+:\/\//.test(framePath) ? vscode.Uri.parse(framePath).path : framePath;
    return { reason: stopped.reason as string, threadId, frame: [path, top.line, top.name] as [string, number, string] };
  }

  /** Launch with Debugger once (the first test that needs it); every test after uses the same worker. */
  async function launched(): Promise<vscode.DebugSession> {
    if (worker) return worker;
    const result = await vscode.commands.executeCommand<{ name: string } | undefined>('gunicornLive.launchWithDebugger', { app: 'app:app' });
    assert.equal(result?.name, 'Gunicorn Live: app:app (debug)');
    const root = await waitFor('the Gunicorn debug session', () => sessions.find((s) => s.name === result!.name && !s.parentSession));
    assert.equal(root.type, DEBUG_TYPE);
    masterPid = await waitFor('the Gunicorn master\'s pid', () => events(root, 'process')[0]?.systemProcessId as number | undefined, 30_000);
    pidsToKill.push(masterPid);
    const child = await waitFor('the worker\'s debug session', () => sessions.find((s) => s.parentSession?.id === root.id), 30_000);
    await waitFor('the worker\'s session to be configured', () => requests(child, 'configurationDone').length > 0, 30_000);
    assert.equal(child.name, `Subprocess ${childPids(masterPid)[0]}`);
    worker = child;
    return child;
  }

  /** "Debug: Toggle Exception Breakpoints", as from the palette: tick or untick the first of debugpy's filters. */
  async function toggleRaisedExceptions(): Promise<void> {
    await vscode.commands.executeCommand('debug.toggleExceptionBreakpoints');
    await sleep(500);
    await vscode.commands.executeCommand('quickInput.first');
    await vscode.commands.executeCommand('workbench.action.quickPickManyToggle');
    await vscode.commands.executeCommand('quickInput.accept');
  }

  before(async () => {
    api = await extensionApi();
    disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: DapMessage) => void messages.push({ session, dir: 'sent', m }),
          onWillReceiveMessage: (m: DapMessage) => void messages.push({ session, dir: 'received', m }),
        }),
      }),
      vscode.debug.onDidStartDebugSession((s) => void sessions.push(s)),
    );
  });

  after(async () => {
    await endDebugging(disposables, pidsToKill);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Debug: Toggle Breakpoint" (F9) in app.py sets a breakpoint, and it stops the forked worker on a request', async () => {
    const line = lineOf('return "hello from');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(appFile()));
    editor.selection = new vscode.Selection(line - 1, 4, line - 1, 4);
    await vscode.commands.executeCommand('editor.debug.action.toggleBreakpoint');
    const bp = await waitFor('a breakpoint in app.py from Toggle Breakpoint', () => vscode.debug.breakpoints.find((b): b is vscode.SourceBreakpoint =>
      b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === appFile()), 5000);
    assert.equal(bp.location.range.start.line, line - 1);

    await launched();
    assert.ok(worker);

    const answer = get('/');
    const stop = await nextStop(0, 'the worker to stop at the toggled breakpoint');
    assert.deepEqual([stop.reason, ...stop.frame], ['breakpoint', appFile(), line, 'index']);
    await worker.customRequest('continue', { threadId: stop.threadId });
    const response = await answer.promise;
    assert.deepEqual([response.status, response.text], [200, 'hello from gunicorn-live\'s test workspace\n']);
  });

  it('breakpoint() in a view stops the worker in the debugger', async () => {
    worker = await launched();
    const before = events(worker, 'stopped').length;
    const answer = get('/hook');
    const stop = await nextStop(before, 'the worker to stop at breakpoint()');
    // debugpy stops on the line after the call, in the view's frame (not in a debugger or agent frame).
    assert.deepEqual(stop.frame, [appFile(), lineOf('return "after breakpoint()'), 'hook']);
    await sleep(1000);
    assert.equal(answer.done.value, undefined, 'the request waits while the worker is stopped');
    await worker.customRequest('continue', { threadId: stop.threadId });
    const response = await answer.promise;
    assert.deepEqual([response.status, response.text], [200, 'after breakpoint()\n']);
  });

  it('"Raised Exceptions" ticked while the worker runs stops that worker on a caught exception', async () => {
    worker = await launched();
    const before = events(worker, 'stopped').length;
    // Unticked (debugpy's default is "uncaught" only): the view handles its KeyError and answers.
    const first = await get('/caught').promise;
    assert.deepEqual([first.status, first.text], [200, 'caught\n']);
    assert.equal(events(worker, 'stopped').length, before, 'no stop with "Raised Exceptions" unticked');

    // "Debug: Toggle Exception Breakpoints": a multi-select pick of debugpy's filters, "Raised Exceptions" first.
    const sentBefore = requests(worker, 'setExceptionBreakpoints').length;
    const answeredBefore = responses(worker, 'setExceptionBreakpoints');
    await toggleRaisedExceptions();
    const sent = await waitFor('VS Code to send the worker setExceptionBreakpoints', () => requests(worker!, 'setExceptionBreakpoints')[sentBefore], 10_000);
    assert.ok((sent.filters as string[]).includes('raised'), `filters sent to the worker: ${JSON.stringify(sent.filters)}`);
    // The worker's debugger applies the filters before it answers: a request sent earlier may still run without them.
    await waitFor('the worker\'s debugger to answer setExceptionBreakpoints', () => responses(worker!, 'setExceptionBreakpoints') > answeredBefore, 10_000);

    const answer = get('/caught');
    const stop = await nextStop(before, 'the worker to stop on the caught KeyError');
    assert.deepEqual([stop.reason, ...stop.frame], ['exception', appFile(), lineOf('raise KeyError'), 'caught']);
    const info = await worker.customRequest('exceptionInfo', { threadId: stop.threadId }) as { exceptionId?: string; description?: string };
    assert.match(`${info.exceptionId} ${info.description}`, /KeyError.*caught on purpose/);
    await worker.customRequest('continue', { threadId: stop.threadId });
    const response = await answer.promise;
    assert.deepEqual([response.status, response.text], [200, 'caught\n']);

    // Untick it again: the next test's requests must not stop on Flask's own exceptions.
    await toggleRaisedExceptions();
    await waitFor('the worker to get "raised" cleared', () => {
      const last = requests(worker!, 'setExceptionBreakpoints').at(-1);
      return last && !(last.filters as string[]).includes('raised');
    }, 10_000);
  });

  it('Pause stops the running worker; a request waits until Continue', async () => {
    worker = await launched();
    const before = events(worker, 'stopped').length;
    const { threads } = await worker.customRequest('threads') as { threads: Array<{ id: number; name: string }> };
    const main = threads.find((t) => t.name === 'MainThread') ?? threads[0];
    // What the Pause button sends to the focused session.
    await worker.customRequest('pause', { threadId: main.id });
    const stop = await nextStop(before, 'the worker to pause');
    // Between requests: in Gunicorn's heartbeat, called through the agent's pause point (the user's code for justMyCode).
    assert.deepEqual([stop.reason, stop.frame[2]], ['pause', 'heartbeat']);
    assert.match(stop.frame[0], /\/server-agent\/gunicorn_live\/pause_point\.py$/);
    const answer = get('/work');
    await sleep(3000);
    assert.equal(answer.done.value, undefined, 'a request to a paused worker does not finish');
    await worker.customRequest('continue', { threadId: stop.threadId });
    const response = await answer.promise;
    assert.equal(response.status, 200);
    assert.ok(response.ms >= 3000, `the request finished only after Continue (${response.ms} ms)`);
  });

  it('Stop Server ends the debugged Gunicorn', async () => {
    assert.ok(masterPid > 0);
    const workers = childPids(masterPid);
    const node = await waitFor('the debugged server in the tree', () => api.tree.getChildren().find((n) => n.kind === 'server' && n.server.masterPid === masterPid), 30_000);
    assert.equal(node.kind === 'server' && await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor('the master and its worker to exit', () => !alive(masterPid) && workers.every((p) => !alive(p)), 20_000);
  });
});
