/// <reference types="mocha" />
// Issue #16, item 5(d): an exception that fails requests is one Problem, on the user's innermost frame,
// with the exception as its message — not one Problem per traceback frame in Flask's files.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { alive, extensionApi, waitFor, workspaceFolder } from './helpers';

const SOURCE = 'Gunicorn Live';

describe('Exceptions in the Problems panel', function () {
  this.timeout(120_000);
  let api: GunicornLiveApi;
  const launchedPids: number[] = [];
  const config = () => vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
  const appFile = () => join(workspaceFolder().uri.fsPath, 'app.py');
  /** Every diagnostic in the window, with its file. */
  const all = () => vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.map((d) => ({ file: uri.fsPath, d })));
  const ours = () => all().filter((x) => x.d.source === SOURCE);
  const serverOf = (pid: number) => waitFor(`the server of master ${pid} in the tree`, () =>
    api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === pid && n.server.connected), 45_000,
  () => (alive(pid) ? undefined : `master ${pid} exited`));

  before(async () => {
    api = await extensionApi();
    await config().update('openDashboardOnLaunch', false, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await config().update('openDashboardOnLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    for (const pid of launchedPids) if (alive(pid)) process.kill(pid, 'SIGQUIT');
  });

  it('three failed requests are one Problem on app.py\'s raise, "RuntimeError: boom on purpose", none in Flask; a save or a stop clears it', async () => {
    const result = await vscode.commands.executeCommand<{ pid: number; bind?: string } | undefined>('gunicornLive.launch', { app: 'app:app' });
    assert.ok(result?.pid, 'the launch returned its master');
    launchedPids.push(result.pid);
    const node = await serverOf(result.pid);
    const port = Number(/:(\d+)$/.exec(node.server.bind[0])?.[1]);
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/boom`)).status, 500);

    const lines = readFileSync(appFile(), 'utf8').split('\n');
    const raiseLine = lines.findIndex((l) => l.includes('raise RuntimeError("boom on purpose")'));
    const callLine = lines.findIndex((l) => l.includes('return explode()'));
    assert.ok(raiseLine > 0 && callLine > raiseLine, 'app.py raises in its helper, called from the view');
    // The 3 may come in one event or, across a flush, in two (the repeat up to 10 s later).
    const [problem] = await waitFor('one Problem counting the 3 failed requests', () => {
      const found = ours();
      return found.length === 1 && /^3 failed requests: GET \/boom ×3;/.test(found[0]!.d.relatedInformation?.[0]?.message ?? '') ? found : undefined;
    }, 30_000, () => (ours().length > 1 ? `more than one Problem: ${JSON.stringify(ours().map((x) => [x.file, x.d.range.start.line, x.d.message]))}` : undefined));
    assert.equal(problem!.file, appFile());
    assert.equal(problem!.d.range.start.line, raiseLine);
    assert.equal(problem!.d.message, 'RuntimeError: boom on purpose');
    assert.equal(problem!.d.severity, vscode.DiagnosticSeverity.Error);
    // The whole traceback, outermost first: Flask's dispatch, the view, then the helper that raised.
    const frames = (problem!.d.relatedInformation ?? []).slice(1).map((r) => `${r.message} ${r.location.uri.path}:${r.location.range.start.line + 1}`);
    assert.deepEqual(frames.slice(-2), [`in boom ${appFile()}:${callLine + 1}`, `raised in explode ${appFile()}:${raiseLine + 1}`]);
    assert.ok(frames.some((f) => /^in dispatch_request \S*[\\/]flask[\\/]app\.py:\d+$/.test(f)), frames.join('\n'));
    // No Problem of any source in Flask's (or any installed package's) files, as the old matcher filed.
    assert.deepEqual(all().filter((x) => /[\\/](site|dist)-packages[\\/]|[\\/]flask[\\/]/.test(x.file)).map((x) => `${x.file}:${x.d.message}`), []);

    // Saving the file clears its Problem: the traceback described the code before the edit.
    const doc = await vscode.workspace.openTextDocument(appFile());
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, doc.lineAt(doc.lineCount - 1).range.end, '\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    await waitFor('no Problem after the save', () => ours().length === 0, 5000);

    // It happens again: filed again (the count is the new occurrences'); stopping the server clears it.
    assert.equal((await fetch(`http://127.0.0.1:${port}/boom`)).status, 500);
    await waitFor('the Problem filed again', () => ours().length === 1 && ours()[0]!.d.range.start.line === raiseLine, 20_000);
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor(`master ${result.pid} to exit`, () => !alive(result.pid), 20_000);
    await waitFor('no Problem once the server stopped', () => ours().length === 0, 10_000);
  });
});
