/// <reference types="mocha" />
// Restricted Mode: launching runs the workspace's code, so nothing launches and no hub starts.
// Runs only in an untrusted window (the runner's second pass); a trusted window skips it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi } from './helpers';

describe('Restricted Mode', function () {
  before(function () {
    if (vscode.workspace.isTrusted) this.skip();
  });

  it('refuses both launch commands, starts no task and no hub', async () => {
    const api = await extensionApi();
    assert.equal(await vscode.commands.executeCommand('gunicornLive.launch'), undefined);
    assert.equal(await vscode.commands.executeCommand('gunicornLive.launchWithDebugger'), undefined);
    assert.equal(vscode.tasks.taskExecutions.length, 0);
    assert.equal(vscode.debug.activeDebugSession, undefined);
    assert.equal(api.hub(), undefined);
    assert.deepEqual(api.launchedPids(), []);
  });
});
