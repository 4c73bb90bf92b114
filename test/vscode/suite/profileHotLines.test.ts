/// <reference types="mocha" />
// Hot lines on the real stack: the extension launches Debian's Gunicorn on the workspace's Flask app, the
// agent's profiler samples GET /cpu (its loop in spin_cpu), the in-process hub keeps the profile, and
// app.py opened in the editor shows the heat on spin_cpu's lines, a CodeLens naming the route above it,
// a toggle that hides and shows them, and a frame outside the workspace opening read-only.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { formatShare, heatLevel } from '../../../extension/hub/profile/lineHeat';
import type { ProfileNode } from '../../../extension/protocol/ui';
import { freePort } from '../harness/workspace';
import { alive, childPids, extensionApi, waitFor, workspaceFolder } from './helpers';

const SHARE = String.raw`(?:\d+|\d\.\d|<0\.1) %`;

describe('Hot lines from the profile', function () {
  this.timeout(120_000);
  let api: GunicornLiveApi;
  let masterPid = 0;
  let serverId = '';
  let port = 0;
  const appFile = () => join(workspaceFolder().uri.fsPath, 'app.py');
  const source = () => readFileSync(appFile(), 'utf8').split('\n');
  /** 1-based line of the first line of app.py that starts with `text`. */
  const lineOf = (text: string) => source().findIndex((l) => l.startsWith(text)) + 1;
  /** spin_cpu's lines: its def up to its return. */
  const spinLines = () => {
    const def = lineOf('def spin_cpu(');
    return { def, body: [def + 1, def + 2, def + 3, def + 4, def + 5] };
  };

  async function appEditor(): Promise<vscode.TextEditor> {
    return vscode.window.showTextDocument(vscode.Uri.file(appFile()), { preview: false });
  }

  async function burn(requests: number): Promise<void> {
    for (let i = 0; i < requests; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/cpu`)).status, 200);
  }

  before(async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    api = await extensionApi();
    port = await freePort();
    const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch', { app: 'app:app', workerClass: '', cwd: '', args: ['--bind', `127.0.0.1:${port}`] });
    assert.ok(result?.pid, 'app:app launched');
    masterPid = result.pid;
    const node = await waitFor('the server and its workers in the tree', () => {
      const n = api.tree.getChildren().find((c): c is ServerNode => c.kind === 'server' && c.server.masterPid === masterPid);
      return n && childPids(masterPid).length > 0 && api.tree.getChildren(n).length === childPids(masterPid).length ? n : undefined;
    }, 45_000, () => (alive(masterPid) ? undefined : 'the master exited (see its task terminal)'));
    serverId = node.server.id;
  });

  after(async () => {
    if (masterPid && alive(masterPid)) {
      await vscode.commands.executeCommand('gunicornLive.stop', serverId);
      await waitFor('the master to exit', () => !alive(masterPid), 20_000).catch(() => process.kill(masterPid, 'SIGKILL'));
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks spin_cpu\'s lines with their share, GET /cpu and its p50 after traffic to /cpu', async () => {
    await burn(60);
    const editor = await appEditor();
    const { def, body } = spinLines();
    const hub = api.hub()!;
    /** The route's p50 as the hub has it now, written as the editor writes latencies. */
    const p50Text = () => {
      const p50 = hub.store.routeWindow(serverId, 300)?.find((r) => r.route === '/cpu')?.p50;
      if (p50 === null || p50 === undefined) return undefined;
      return `${p50 * 1000 < 10 ? (p50 * 1000).toFixed(1) : (p50 * 1000).toFixed(0)} ms p50`;
    };
    const callLine = lineOf('    return {"total": spin_cpu(');
    /** The samples passing through the call line, summed over the hub's /cpu tree (no recursion there). */
    const throughCall = (n: ProfileNode): number => (n.file === appFile() && n.line === callLine ? n.total : n.children.reduce((a, c) => a + throughCall(c), 0));
    const cpuProfile = () => hub.store.profile(serverId, { window: 300, mode: 'wall', route: 'GET /cpu' })!;
    /** The call line's text as the hub's figures say it should read now: its share of the samples taken in requests (routes with a method). */
    const expectedCallText = () => {
      const profile = cpuProfile();
      const inRequests = profile.routes.filter((r) => r.method).reduce((a, r) => a + r.samples, 0);
      return `▮ ${formatShare(throughCall(profile.root), inRequests)} · GET /cpu · ${p50Text()}`;
    };
    // Waits for the hot lines to have caught up with the hub (the last profile frames, the p50 of all 60 requests).
    const lines = await waitFor('hot lines in spin_cpu with the hub\'s share and p50 of /cpu', () => {
      const shown = api.hotLines(editor);
      const call = shown.find((l) => l.line === callLine);
      return shown.some((l) => body.includes(l.line)) && call && call.total === throughCall(cpuProfile().root) && call.text === expectedCallText() ? shown : undefined;
    }, 30_000);
    const profile = cpuProfile();
    assert.ok(profile.samples > 0, 'the hub holds samples of GET /cpu');
    // Every decorated line is a line the profile sampled in this file, and only in code that runs for /cpu.
    const sampled = new Set<number>();
    const walk = (n: ProfileNode) => {
      if (n.file === appFile()) sampled.add(n.line);
      n.children.forEach(walk);
    };
    walk(profile.root);
    for (const l of lines) assert.ok(sampled.has(l.line), `line ${l.line} was sampled`);
    assert.equal(lines.some((l) => l.line <= lineOf('@app.route("/work")')), false, 'index() and the imports are not hot');
    // The loop carries the time: the line most samples end on is in spin_cpu's body.
    const hottest = [...lines].sort((a, b) => b.self - a.self)[0];
    assert.ok(body.includes(hottest.line), `hottest line ${hottest.line} is in spin_cpu (${def}..${def + 5})`);
    const call = lines.find((l) => l.line === callLine)!;
    // Its share: of the samples taken in requests (all routes with a method; (idle) and (no request) not).
    const inRequests = profile.routes.filter((r) => r.method).reduce((a, r) => a + r.samples, 0);
    assert.equal(call.level, heatLevel(call.total, inRequests));
    // spin_cpu's time is all under the call: no sample ends in spin_cpu that does not pass through it.
    const spinSelf = lines.filter((l) => body.includes(l.line)).reduce((n, l) => n + l.self, 0);
    assert.ok(spinSelf > 0 && call.total >= spinSelf, `the call line (${call.total}) holds spin_cpu's own samples (${spinSelf})`);
    for (const l of lines) assert.match(l.text, new RegExp(`^▮ ${SHARE} · GET /cpu · [\\d.]+ (ms|s) p50$`));
  });

  it('puts a CodeLens above def spin_cpu naming GET /cpu, and none above unsampled functions', async () => {
    const editor = await appEditor();
    const { def } = spinLines();
    const lenses = await waitFor('the CodeLens above spin_cpu', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
      const ours = all.filter((l) => l.command?.command === 'gunicornLive.profileRoute');
      return ours.some((l) => l.range.start.line === def - 1) ? ours : undefined;
    });
    const spin = lenses.find((l) => l.range.start.line === def - 1)!;
    assert.match(spin.command!.title, new RegExp(`^\\$\\(flame\\) ${SHARE} of request time \\(${SHARE} self\\) · GET /cpu 100 %$`));
    assert.deepEqual(spin.command!.arguments, ['GET /cpu']);
    const cpuView = lenses.find((l) => l.range.start.line === lineOf('def cpu(') - 1);
    assert.ok(cpuView, 'the view function cpu() has its lens too');
    for (const name of ['def index(', 'def work(', 'def boom(', 'def slow(']) {
      assert.equal(lenses.some((l) => l.range.start.line === lineOf(name) - 1), false, `no lens above ${name}`);
    }
  });

  it('Toggle Hot Lines hides and shows them; the status bar item says which', async () => {
    const editor = await appEditor();
    assert.deepEqual(api.hotLinesState(), { enabled: true, statusText: '$(flame) Hot Lines' });
    await vscode.commands.executeCommand('gunicornLive.toggleHotLines');
    assert.deepEqual(api.hotLinesState(), { enabled: false, statusText: '$(eye-closed) Hot Lines' });
    assert.deepEqual(api.hotLines(editor), []);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    assert.equal(lenses.filter((l) => l.command?.command === 'gunicornLive.profileRoute').length, 0);
    await vscode.commands.executeCommand('gunicornLive.toggleHotLines');
    assert.equal(api.hotLinesState().enabled, true);
    await waitFor('the hot lines back', () => api.hotLines(editor).length > 0, 10_000);
  });

  it('opens a sampled frame outside the workspace read-only at its line, one inside as the file itself', async () => {
    const profile = api.hub()!.store.profile(serverId, { window: 300, mode: 'wall', route: 'GET /cpu' })!;
    const frames: ProfileNode[] = [];
    const walk = (n: ProfileNode) => {
      frames.push(n);
      n.children.forEach(walk);
    };
    walk(profile.root);
    const outside = frames.find((n) => n.file.endsWith('.py') && n.line > 1 && !n.file.startsWith(workspaceFolder().uri.fsPath) && n.file.includes('flask'));
    assert.ok(outside, 'a Flask frame was sampled');
    assert.equal(await vscode.commands.executeCommand('gunicornLive.openStackFrame', outside.file, outside.line), true);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.scheme, 'gunicorn-live-frame');
    assert.equal(editor.document.uri.path, outside.file);
    assert.equal(editor.document.getText(), readFileSync(outside.file, 'utf8'));
    assert.equal(editor.selection.active.line, outside.line - 1);
    assert.equal(vscode.workspace.fs.isWritableFileSystem('gunicorn-live-frame'), false);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(editor.document.uri, new TextEncoder().encode('# typed by accident\n'))), /NoPermissions|read-?only/i);
    assert.equal(readFileSync(outside.file, 'utf8'), editor.document.getText(), 'the file is unchanged');

    const inside = frames.find((n) => n.file === appFile() && n.name === 'spin_cpu')!;
    assert.equal(await vscode.commands.executeCommand('gunicornLive.openStackFrame', inside.file, inside.line), true);
    assert.equal(vscode.window.activeTextEditor!.document.uri.toString(), vscode.Uri.file(appFile()).toString());
    assert.equal(vscode.window.activeTextEditor!.selection.active.line, inside.line - 1);
  });
});
