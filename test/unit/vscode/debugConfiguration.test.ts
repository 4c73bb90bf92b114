// The debug configuration "Launch with Debugger" starts.
import assert from 'node:assert/strict';
import test from 'node:test';
import { debugConfiguration } from '../../../extension/vscode/debugConfiguration';
import { taskLaunchPlan } from '../../../extension/vscode/taskPlan';

test('builds a debugpy configuration with one worker and no timeout', () => {
  const plan = taskLaunchPlan({ type: 'gunicorn', app: 'app:app' }, {
    python: '/usr/bin/python3', folderPath: '/w', agentUrl: 'ws://127.0.0.1:1/ws/agent', token: 't', sampleInterval: 1,
    defaultWorkers: 4, defaultTimeout: 30, debug: true,
  });
  const config = debugConfiguration('debugpy', 'n', '/usr/bin/python3', plan);
  assert.match(config.program, /server-agent\/launcher\/gunicorn$/);
  assert.equal(config.request, 'launch');
  assert.equal(config.subProcess, true);
  assert.deepEqual(config.args.slice(2), ['--workers', '1', '--timeout', '0', 'app:app']);
  assert.equal(config.env.GUNICORN_LIVE_TOKEN, 't');
  // The agent is excluded from "just my code" but for the file where Pause stops a waiting worker (first
  // match wins); the marker lets Stop Server find the session.
  const agentDir = plan.env.PYTHONPATH.split(':')[0];
  assert.deepEqual(config.rules, [{ path: `${agentDir}/gunicorn_live/pause_point.py`, include: true }, { path: agentDir, include: false }]);
  assert.equal(config.gunicornLiveLaunch, true);
});
