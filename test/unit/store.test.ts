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

test('a disconnected server stays visible for a while, then is removed', () => {
  const store = new Store({ keepDisconnectedMs: 1000 });
  const removed: string[] = [];
  store.on('removed', (id: string) => removed.push(id));
  const id = store.connect(hello(10));
  store.disconnect(id, 5000);
  store.prune(5900);
  assert.equal(store.server(id)?.connected, false);
  store.prune(6001);
  assert.equal(store.server(id), undefined);
  assert.deepEqual(removed, [id]);
});

test('exits are paired with the worker that replaced them', () => {
  const store = new Store();
  const id = store.connect(hello(10));
  const at = 100;
  store.event(id, { type: 'worker_spawn', pid: 2, at });
  store.event(id, { type: 'worker_exit', pid: 2, reason: 'signal', signal: 'SIGKILL', oom: true, at: at + 5 });
  store.event(id, { type: 'worker_spawn', pid: 3, at: at + 5.1 });
  // HUP: the new worker starts before the old one exits
  store.event(id, { type: 'worker_spawn', pid: 4, at: at + 10 });
  store.event(id, { type: 'worker_exit', pid: 3, reason: 'reload', at: at + 10.5 });
  store.sample(id, { ...sample(0, at + 11, 1), workers: [{ pid: 4, age: 3, bootedAt: at + 10, cpuPercent: 0, rssBytes: 1, requests: 0 }] });
  assert.deepEqual(store.server(id)?.workers[0].lastExit, { pid: 3, reason: 'reload', at: at + 10.5 });
  assert.deepEqual(store.counters(id)?.exits, new Map([['signal', 1], ['reload', 1]]));
  assert.equal(store.counters(id)?.oomKills, 1, 'the SIGKILL the kernel counted as an OOM kill');
});

test('latency percentiles and status classes per interval, routes with smoothed rates', () => {
  const store = new Store();
  const id = store.connect(hello(10));
  store.sample(id, { ...sample(0, 1, 4), requests: [
    { method: 'GET', route: '/a', status: 200, count: 3, durationSum: 0.3, buckets: [3, 0], responseBytes: 0 },
    { method: 'GET', route: '/a', status: 503, count: 1, durationSum: 2, buckets: [0, 1], responseBytes: 0 },
  ] });
  const [point] = store.history(id);
  assert.deepEqual(point.status, { '2xx': 3, '3xx': 0, '4xx': 0, '5xx': 1 });
  assert.equal(point.latency?.p50, 0.5 * (2 / 3)); // rank 2 of 3 in the [0, 0.5] bucket
  assert.equal(point.latency?.p99, 0.5); // past the last bound nothing is known but that bound
  const [route] = store.server(id)!.routes!;
  assert.equal(route.count, 4);
  assert.equal(route.errors, 1);
  assert.ok(route.rps > 0 && route.rps < 4);
});
