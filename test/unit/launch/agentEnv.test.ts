import assert from 'node:assert/strict';
import test from 'node:test';
import { agentEnvironment } from '../../../extension/launch/agentEnv';
import { AGENT_DIR } from '../../../extension/launch/paths';

test("the agent's environment: its folder before the inherited PYTHONPATH, the hub, and only the optional parts given", () => {
  const target = { agentUrl: 'ws://127.0.0.1:41234/ws/agent', token: 'tok-0123456789abcdef' };
  assert.deepEqual(agentEnvironment(target), { PYTHONPATH: AGENT_DIR, GUNICORN_LIVE_URL: target.agentUrl, GUNICORN_LIVE_TOKEN: target.token });
  assert.deepEqual(agentEnvironment({ ...target, sampleInterval: 0.5 }, '/a:/b', '/srv/gunicorn.conf.py'), {
    PYTHONPATH: `${AGENT_DIR}:/a:/b`, GUNICORN_LIVE_URL: target.agentUrl, GUNICORN_LIVE_TOKEN: target.token,
    GUNICORN_LIVE_INTERVAL: '0.5', GUNICORN_LIVE_USER_CONFIG: '/srv/gunicorn.conf.py',
  });
  assert.equal(agentEnvironment(target, '', null).PYTHONPATH, AGENT_DIR, 'an empty inherited PYTHONPATH adds no empty entry');
});
