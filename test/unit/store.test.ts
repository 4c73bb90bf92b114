import assert from 'node:assert/strict';
import test from 'node:test';
import { RingBuffer } from '../../extension/hub/ringBuffer';
import { Store, serverId } from '../../extension/hub/store';
import type { HelloFrame, SampleFrame } from '../../extension/protocol/agent';

const hello = (masterPid: number): HelloFrame => ({
  type: 'hello', protocol: '1.0', agent: { version: '0', python: '3', gunicorn: '20.1.0' },
  server: { masterPid, host: 'h', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 's',
    startedAt: 0, targetWorkers: 1, interval: 1, durationBuckets: [0.5] },
});
const sample = (seq: number, at: number, count: number): SampleFrame => ({
  type: 'sample', seq, at, master: { pid: 1, cpuPercent: 0, rssBytes: 0 }, targetWorkers: 1,
  workers: [{ pid: 2, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests: count }],
  requests: [{ method: 'GET', route: '/', status: 200, count, durationSum: 1, buckets: [count - 1, 1], responseBytes: 5 }],
});

test('ring buffer keeps the newest items in order', () => {
  const ring = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.deepEqual(ring.toArray(2), [4, 5]);
  assert.equal(ring.newest(), 5);
  assert.equal(ring.length, 3);
  assert.throws(() => new RingBuffer(0), RangeError);
});

test('history is bounded and windowed', () => {
  const store = new Store({ historyPoints: 4 });
  const id = store.connect(hello(10));
  for (let i = 0; i < 10; i++) store.sample(id, sample(i, 100 + i, 2));
  assert.deepEqual(store.history(id).map((p) => p.at), [106, 107, 108, 109]);
  assert.deepEqual(store.history(id, 2).map((p) => p.at), [108, 109]);
});

test('request totals add the deltas, histogram buckets included; gaps in seq are counted', () => {
  const store = new Store();
  const id = store.connect(hello(10));
  store.sample(id, sample(0, 1, 3));
  store.sample(id, sample(3, 2, 4));
  assert.equal(store.server(id)?.requestsTotal, 7);
  assert.deepEqual(store.requestTotals(id)?.totals[0].buckets, [5, 2]);
  assert.equal(store.droppedSamples(id), 2);
});

test('a new master of the same server keeps its id, totals and history (USR2, restart)', () => {
  const store = new Store();
  const first = store.connect(hello(10));
  store.sample(first, sample(0, 1, 3));
  store.disconnect(first);
  assert.equal(store.server(first)?.connected, false);
  const second = store.connect(hello(11));
  assert.equal(second, first);
  assert.equal(serverId(hello(12)), first);
  assert.equal(store.server(second)?.masterPid, 11);
  assert.equal(store.server(second)?.requestsTotal, 3);
  assert.equal(store.history(second).length, 1);
});
