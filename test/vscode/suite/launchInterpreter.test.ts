/// <reference types="mocha" />
// The interpreter a new user has: with no gunicornLive.pythonPath, the workspace's own .venv (made from
// Debian's python3, which has Gunicorn 20.1.0 and Flask) serves the Flask app, while `python3` on PATH
// (pyenv's, without Gunicorn) does not; Select Interpreter… lists what was found, the ones that can serve
// the app first, and writes the choice to the folder's settings.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GunicornLiveApi } from '../../../extension/vscode/extension';
import { resolveInterpreter } from '../../../extension/vscode/python';
import type { ServerNode } from '../../../extension/vscode/serversTree';
import { freePort } from '../harness/workspace';
import { alive, extensionApi, waitFor, workspaceFolder } from './helpers';

const SYSTEM = '/usr/bin/python3';
const versionOf = (module: string) => execFileSync(SYSTEM, ['-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8' }).trim();

describe('The interpreter a project has', function () {
  this.timeout(90_000);
  let api: GunicornLiveApi;
  const started: number[] = [];
  const ws = () => workspaceFolder().uri.fsPath;
  const venvPython = () => join(ws(), '.venv', 'bin', 'python');
  const config = () => vscode.workspace.getConfiguration('gunicornLive', workspaceFolder().uri);
  let savedPythonPath: string | undefined;

  before(async () => {
    api = await extensionApi();
    savedPythonPath = config().inspect<string>('pythonPath')?.workspaceFolderValue;
    await config().update('pythonPath', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    // What `python3 -m venv --system-site-packages .venv` gives a user whose system Python has the packages.
    execFileSync(SYSTEM, ['-m', 'venv', '--without-pip', '--system-site-packages', join(ws(), '.venv')]);
  });

  after(async () => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await config().update('pythonPath', savedPythonPath, vscode.ConfigurationTarget.WorkspaceFolder);
    rmSync(join(ws(), '.venv'), { recursive: true, force: true });
  });

  it('launches the Flask app with the workspace\'s .venv, not python3 on PATH', async () => {
    assert.equal(config().get('pythonPath'), '');
    assert.deepEqual(await resolveInterpreter(workspaceFolder(), ['gunicorn', 'flask']), { path: venvPython(), source: 'workspace venv' });
    const port = await freePort();
    const result = await vscode.commands.executeCommand<{ pid: number } | undefined>('gunicornLive.launch', { app: 'app:app', args: ['--bind', `127.0.0.1:${port}`] });
    assert.ok(result?.pid, 'launched');
    started.push(result.pid);
    const task = vscode.tasks.taskExecutions.find((e) => e.task.name === 'app:app')?.task.execution as vscode.ProcessExecution;
    assert.equal(task.process, venvPython());
    // The master runs under the venv's interpreter (argv[0], before Gunicorn may retitle the process).
    const node = await waitFor('the server in the tree', () => api.tree.getChildren().find((n): n is ServerNode => n.kind === 'server' && n.server.masterPid === result.pid),
      45_000, () => (alive(result.pid) ? undefined : 'the master exited (see its task terminal)'));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.equal(readFileSync(`/proc/${result.pid}/cmdline`, 'utf8').split('\0')[0], venvPython());
    assert.equal(await vscode.commands.executeCommand<boolean>('gunicornLive.stop', node.server.id), true);
    await waitFor('the master to exit', () => !alive(result.pid), 20_000);
  });

  it('Select Interpreter… lists the found interpreters with what they import, and saves the pick for the folder', async () => {
    const before = api.quickPicks().length;
    const choosing = vscode.commands.executeCommand<string | undefined>('gunicornLive.selectInterpreter');
    const shown = await waitFor('the interpreter QuickPick', () => api.quickPicks().slice(before).find((p) => p.title.includes('Python that runs Gunicorn')), 20_000);
    assert.match(shown.title, /needs Gunicorn, Flask\)$/);
    const [first] = shown.items;
    assert.match(first.label, /\.venv\/bin\/python$/);
    assert.equal(first.description, 'workspace venv');
    assert.equal(first.detail, `Gunicorn ${versionOf('gunicorn')} · Flask ${versionOf('flask')}`);
    // python3 on PATH is listed too, with what it imports (pyenv's, here, has no Gunicorn).
    const path3 = shown.items.find((i) => i.label.endsWith(' python3'));
    assert.ok(path3, `python3 is listed (${shown.items.map((i) => i.label).join(', ')})`);
    assert.equal(path3.description, 'PATH');
    const onPath = spawnSync('python3', ['-c', 'import gunicorn; print(gunicorn.__version__)'], { encoding: 'utf8' });
    assert.ok((path3.detail ?? '').startsWith(onPath.status === 0 ? `Gunicorn ${onPath.stdout.trim()} · ` : 'no Gunicorn · '), path3.detail);
    assert.match(shown.items.at(-1)!.label, /Browse for an interpreter/);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await choosing, venvPython());
    assert.equal(config().inspect<string>('pythonPath')?.workspaceFolderValue, venvPython());
  });
});
