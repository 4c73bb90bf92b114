import assert from 'node:assert/strict';
import test from 'node:test';
import { serverId } from '../../../extension/hub/serverId';
import type { HelloFrame } from '../../../extension/protocol/agent';

const hello = (server: Partial<HelloFrame['server']>): HelloFrame => ({
  type: 'hello', protocol: '1.0', agent: { version: '0', python: '3', gunicorn: '20.1.0' },
  server: { masterPid: 10, host: 'h', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 's',
    startedAt: 0, targetWorkers: 1, interval: 1, durationBuckets: [0.5], ...server },
});

test('host, service, app and binds name a server: a new master (restart, USR2) keeps the id', () => {
  const id = serverId(hello({}));
  assert.match(id, /^[0-9a-f]{12}$/);
  assert.equal(serverId(hello({ masterPid: 11, startedAt: 5, targetWorkers: 4, workerClass: 'gthread' })), id);
  for (const other of [{ host: 'h2' }, { serviceName: 's2' }, { app: 'other:app' }, { bind: ['127.0.0.1:9001'] },
    { bind: ['127.0.0.1:9000', '127.0.0.1:9001'] }]) {
    assert.notEqual(serverId(hello(other)), id, JSON.stringify(other));
  }
});

test('a server with no bind is named by its host and master pid', () => {
  const a = serverId(hello({ bind: [], masterPid: 10 }));
  assert.notEqual(serverId(hello({ bind: [], masterPid: 11 })), a);
  assert.equal(serverId(hello({ bind: [], masterPid: 10, app: 'other:app', serviceName: 'x' })), a);
  assert.notEqual(serverId(hello({ bind: [], masterPid: 10, host: 'h2' })), a);
});
