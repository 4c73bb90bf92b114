// GET /api/servers?events=N: each server's newest N lifecycle events, up to all the hub keeps; 200 without it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHub, type Hub } from '../../../extension/hub/hub';
import type { ServerView } from '../../../extension/protocol/ui';

const TOKEN = 'events-token-0123456789abcdef';
let hub: Hub;
let id: string;
const SPAWNS = 1200; // more than the hub keeps (1000), so the oldest are gone

before(async () => {
  hub = await startHub({ token: TOKEN, otelEnv: null });
  id = hub.store.connect({
    type: 'hello', protocol: '1.0', agent: { version: '0.1.0', python: '3.11.2', gunicorn: '20.1.0' },
    server: { masterPid: 4242, host: 'box', app: 'app:app', bind: ['127.0.0.1:4242'], workerClass: 'sync',
      serviceName: 'svc', startedAt: 1000, targetWorkers: 1, interval: 1, durationBuckets: [0.1, 1] },
  } as Parameters<Hub['store']['connect']>[0]);
  for (let pid = 1; pid <= SPAWNS; pid++) hub.store.event(id, { type: 'worker_spawn', pid, at: 1000 + pid });
});
after(() => hub.close());

const get = (query: string) => fetch(`${hub.url}/api/servers${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
async function eventPids(query: string): Promise<number[]> {
  const res = await get(query);
  assert.equal(res.status, 200, query);
  const { servers } = (await res.json()) as { servers: ServerView[] };
  return servers.find((s) => s.id === id)!.events.map((e) => (e as { pid: number }).pid);
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('the newest 200 by default; ?events=N the newest N, oldest first, up to the 1000 kept', async () => {
  assert.equal(hub.store.eventsKept, 1000);
  assert.deepEqual(await eventPids(''), range(SPAWNS - 199, SPAWNS));
  assert.deepEqual(await eventPids('?events=500'), range(SPAWNS - 499, SPAWNS));
  assert.deepEqual(await eventPids('?events=1000'), range(SPAWNS - 999, SPAWNS));
  assert.deepEqual(await eventPids('?events=3'), [SPAWNS - 2, SPAWNS - 1, SPAWNS]);
  assert.deepEqual(await eventPids('?events=0'), []);
});

test('a bad N is a 400 with one message', async () => {
  for (const bad of ['1001', '-1', '1.5', 'ten', '', '1e3', '99999999999', '0x10']) {
    const res = await get(`?events=${bad}`);
    assert.equal(res.status, 400, bad);
    assert.deepEqual(await res.json(), { error: 'events must be a whole number from 0 to 1000 (the events the hub keeps per server)' }, bad);
  }
});
