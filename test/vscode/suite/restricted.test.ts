/// <reference types="mocha" />
// Restricted Mode: launching runs the workspace's code, so nothing launches (and no hub starts for it);
// attaching a server started elsewhere still works.
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

  it('still attaches servers started elsewhere, with the hub on gunicornLive.hub.host and hub.port', async function () {
    // The runner puts a free port in the machine settings and names it here.
    const port = Number(process.env.GUNICORN_LIVE_TEST_HUB_PORT);
    if (!port) this.skip();
    const api = await extensionApi();
    const text = await vscode.commands.executeCommand<string>('gunicornLive.attach');
    assert.equal(api.hub()?.host, '127.0.0.1');
    assert.equal(api.hub()?.port, port);
    assert.match(text, new RegExp(`^export GUNICORN_LIVE_URL='ws://127\\.0\\.0\\.1:${port}/ws/agent'$`, 'm'));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
  });
});
