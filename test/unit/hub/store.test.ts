import assert from 'node:assert/strict';
import test, { describe } from 'node:test';
import { historyPointsFor, Store, serverId } from '../../../extension/hub/store';
import type { HelloFrame, SampleFrame } from '../../../extension/protocol/agent';
import type { HistoryPoint } from '../../../extension/protocol/ui';
import { assertSame } from './historyPoints';

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

test('history is bounded and windowed', () => {
  const store = new Store({ historyPoints: 4 });
  const id = store.connect(hello(10));
  for (let i = 0; i < 10; i++) store.sample(id, sample(i, 100 + i, 2));
  assert.deepEqual(store.history(id).map((p) => p.at), [106, 107, 108, 109]);
  assert.deepEqual(store.history(id, 2).map((p) => p.at), [108, 109]);
});

test('history holds an hour at the agent\'s interval (the 60-minute window is whole at 0.5 s too), bounded below 0.25 s', () => {
  assert.deepEqual([2, 1, 0.5, 0.25, 0.05].map(historyPointsFor), [1800, 3600, 7200, 14400, 14400]);
  const store = new Store();
  const fast = hello(11);
  fast.server.interval = 0.5;
  const id = store.connect(fast);
  for (let i = 0; i < 7300; i++) store.sample(id, sample(i, 1000 + i / 2, 1));
  const kept = store.history(id);
  assert.equal(kept.length, 7200);
  assert.equal(kept[kept.length - 1].at - kept[0].at, 3599.5);
  assert.equal(store.history(id, 3600).length, 7200);
});

test('a worker that exits between two samples still counts whole among the exited (max_requests under load)', () => {
  const store = new Store();
  const id = store.connect(hello(12));
  const at = (seq: number, workers: [number, number][], served: number): SampleFrame => ({
    ...sample(seq, 100 + seq, served),
    workers: workers.map(([pid, requests]) => ({ pid, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests })),
  });
  store.sample(id, at(0, [[2, 10]], 10));
  // Worker 2 served 30 more and exited; worker 3 booted and served 5: the sample sees only worker 3.
  store.sample(id, at(1, [[3, 5]], 35));
  // Worker 3 booted, served 40 and exited, all between samples; worker 4 served 1.
  store.sample(id, at(2, [[4, 1]], 41));
  assert.equal(store.server(id)!.requestsTotal, 86);
  assert.equal(store.counters(id)!.exitedWorkerRequests, 85);
  // Seen with its count, then gone: the last-seen count is what it adds, never twice.
  store.sample(id, at(3, [[5, 0]], 0));
  assert.equal(store.counters(id)!.exitedWorkerRequests, 86);
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

test('a relaunch (the last master gone, a new one says hello) keeps the id but is a new server: no totals, history or events carry over', () => {
  const store = new Store();
  const heard: string[] = [];
  store.on('removed', (id) => heard.push(`removed ${id}`));
  store.on('server', (s) => heard.push(`server ${s.masterPid} ${s.connected} ${s.requestsTotal}`));
  const first = store.connect(hello(10));
  store.sample(first, sample(0, 1, 3));
  store.event(first, { type: 'worker_spawn', pid: 3, at: 3 });
  store.disconnect(first);
  assert.equal(store.server(first)?.connected, false);
  // The same master's agent only lost its connection: everything stays.
  store.connect(hello(10));
  assert.equal(store.server(first)?.requestsTotal, 3);
  store.disconnect(first);
  const second = store.connect(hello(11));
  assert.equal(second, first);
  assert.equal(serverId(hello(12)), first);
  assert.equal(store.server(second)?.masterPid, 11);
  assert.equal(store.server(second)?.requestsTotal, 0);
  assert.deepEqual(store.requestTotals(second)?.totals, []);
  assert.equal(store.history(second).length, 0);
  assert.deepEqual(store.server(second)?.events, []);
  assert.deepEqual(heard, ['server 10 true 0', 'server 10 false 3', 'server 10 true 3', 'server 10 false 3', `removed ${first}`, 'server 11 true 0']);
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

describe('USR2: two masters of one server', () => {
  const generation = (masterPid: number, startedAt: number): HelloFrame => ({ ...hello(masterPid), server: { ...hello(masterPid).server, startedAt } });
  const frame = (master: number, seq: number, at: number, workers: Array<[number, number]>, served: number): SampleFrame => ({
    ...sample(seq, at, Math.max(served, 1)), master: { pid: master, cpuPercent: 0, rssBytes: 0 },
    workers: workers.map(([pid, requests]) => ({ pid, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests })),
    requests: served > 0 ? [{ method: 'GET', route: '/', status: 200, count: served, durationSum: 0, buckets: [served, 0], responseBytes: 0 }] : [],
  });
  /** What gunicorn_worker_requests_total sums to: live workers plus the exited ones. */
  const perWorker = (store: Store, id: string) =>
    store.server(id)!.workers.reduce((a, w) => a + w.requests, 0) + store.counters(id)!.exitedWorkerRequests;
  const routeCount = (store: Store, id: string) => store.server(id)!.routes!.reduce((a, r) => a + r.count, 0);

  test('the old master and its workers count on beside the new one; when it stops, their totals stay', () => {
    const store = new Store();
    const id = store.connect(generation(10, 100));
    store.sample(id, frame(10, 0, 1, [[11, 20], [12, 10]], 30), 10);
    assert.equal(perWorker(store, id), 30);

    assert.equal(store.connect(generation(20, 200)), id);
    const takeover = store.server(id)!;
    assert.equal(takeover.masterPid, 20);
    assert.deepEqual(takeover.workers.map((w) => w.pid), [11, 12], 'the old workers still serve');
    assert.equal(perWorker(store, id), 30, 'nothing goes backwards at the takeover');

    store.sample(id, frame(10, 1, 2, [[11, 25], [12, 13]], 8), 10); // the old workers served 8 more
    store.sample(id, frame(20, 0, 2.1, [[21, 4], [22, 3]], 7), 20);
    assert.deepEqual(store.server(id)!.workers.map((w) => w.pid), [21, 22, 11, 12]);
    assert.equal(perWorker(store, id), 45);
    assert.equal(store.server(id)!.requestsTotal, 45);
    assert.equal(routeCount(store, id), 45);
    const point = store.history(id).at(-1)!;
    assert.deepEqual(point.workers.map((w) => w.pid), [21, 22, 11, 12], "the chart's point has both generations");
    assert.equal(point.rps, 15, 'and the requests of both (its first interval counts as 1 s)');

    // TERM to the old master: its workers exit as a shutdown, its last sample has none, then it disconnects.
    store.event(id, { type: 'worker_exit', pid: 11, reason: 'shutdown', at: 3 });
    store.event(id, { type: 'worker_exit', pid: 12, reason: 'shutdown', at: 3 });
    store.sample(id, frame(10, 2, 3, [], 0), 10);
    store.disconnect(id, 0, 10);
    const after = store.server(id)!;
    assert.equal(after.connected, true);
    assert.equal(after.masterPid, 20);
    assert.deepEqual(after.workers.map((w) => w.pid), [21, 22]);
    assert.equal(perWorker(store, id), 45);
    assert.deepEqual(store.counters(id)!.exits, new Map([['shutdown', 2]]));
    store.sample(id, frame(20, 1, 4, [[21, 6], [22, 4]], 3), 20);
    assert.equal(perWorker(store, id), 48);
    assert.equal(store.server(id)!.requestsTotal, 48);
  });

  test('the new master stops first (USR2 undone): the old one is the server again, nothing counted twice', () => {
    const store = new Store();
    const id = store.connect(generation(10, 100));
    store.sample(id, frame(10, 0, 1, [[11, 5]], 5), 10);
    store.connect(generation(20, 200));
    store.sample(id, frame(20, 0, 2, [[21, 2]], 2), 20);
    store.disconnect(id, 0, 20);
    const view = store.server(id)!;
    assert.deepEqual([view.connected, view.masterPid, view.workers.map((w) => w.pid)], [true, 10, [11]]);
    assert.equal(perWorker(store, id), 7);
    store.sample(id, frame(10, 1, 3, [[11, 6]], 1), 10);
    assert.equal(perWorker(store, id), 8);
    assert.equal(store.server(id)!.requestsTotal, 8);
    // The old master's agent loses its connection and says hello again: its worker is not counted twice.
    store.disconnect(id, 0, 10);
    assert.equal(store.server(id)!.connected, false);
    store.connect(generation(10, 100));
    assert.equal(perWorker(store, id), 8);
    store.sample(id, frame(10, 2, 4, [[11, 6]], 0), 10);
    assert.equal(perWorker(store, id), 8);
  });

  test('a restart (the old master gone before the new one says hello) is a new run: nothing of the old one counts', () => {
    const store = new Store();
    const id = store.connect(generation(10, 100));
    store.sample(id, frame(10, 0, 1, [[11, 9]], 9), 10);
    store.disconnect(id, 0, 10);
    store.connect(generation(30, 300));
    assert.deepEqual(store.server(id)!.workers, []);
    assert.equal(perWorker(store, id), 0);
    assert.equal(store.server(id)!.requestsTotal, 0);
  });
});

test('what the store tells its listeners through USR2: a server change, each sample, a point only for the current master', () => {
  const store = new Store();
  const heard: string[] = [];
  store.on('server', (server) => heard.push(`server ${server.masterPid} ${server.connected}`));
  store.on('sample', (_id, frame) => heard.push(`sample ${frame.master.pid}`));
  store.on('update', (server, point) => heard.push(`update ${server.masterPid} ${point.workers.length}`));
  store.on('event', (_id, event) => heard.push(`event ${event.type}`));
  store.on('removed', (id) => heard.push(`removed ${id}`));
  const first: HelloFrame = { ...hello(10), server: { ...hello(10).server, startedAt: 100 } };
  const id = store.connect(first);
  store.connect({ ...hello(20), server: { ...hello(20).server, startedAt: 200 } });
  store.connect(first); // the old master's hello again: nothing changes for the views
  store.sample(id, { ...sample(0, 1, 1), master: { pid: 10, cpuPercent: 0, rssBytes: 0 } }, 10);
  store.sample(id, { ...sample(0, 2, 1), master: { pid: 20, cpuPercent: 0, rssBytes: 0 }, workers: [] }, 20);
  store.sample(id, sample(0, 3, 1), 99); // no master of this server
  store.event(id, { type: 'worker_spawn', pid: 3, at: 3 });
  store.disconnect(id, 0, 99);
  store.disconnect(id, 0, 10);
  store.disconnect(id, 1000);
  store.prune(1000 + 15 * 60_000 + 1);
  assert.deepEqual(heard, [
    'server 10 true', 'server 20 true', 'sample 10', 'sample 20', 'update 20 1', 'event worker_spawn',
    'server 20 true', 'server 20 false', `removed ${id}`,
  ]);
});

test('the store keeps an hour of 64 workers at 1 s and gives back the points it emitted, in the window asked', () => {
  const hello: HelloFrame = {
    type: 'hello', protocol: '1.0', agent: { version: '0', python: '3', gunicorn: '20.1.0' },
    server: { masterPid: 10, host: 'h', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 's',
      startedAt: 0, targetWorkers: 64, interval: 1, durationBuckets: [0.1, 1] },
  };
  const frame = (seq: number): SampleFrame => ({
    type: 'sample', seq, at: 1e9 + seq + ((seq * 7919) % 13) / 1000, master: { pid: 10, cpuPercent: 0, rssBytes: 0 }, targetWorkers: 64,
    workers: Array.from({ length: 64 }, (_, w) => ({
      // A worker is replaced every 100 s (max_requests); one has no readable /proc for a while.
      pid: 100 + w + 64 * Math.floor((seq + w * 50) / 100), age: 1, bootedAt: 0, cpuPercent: w === 5 && seq % 10 === 0 ? null : ((seq * 31 + w) % 10_000) / 100,
      rssBytes: (20_000 + ((seq + w) % 97)) * 1024, pssBytes: w % 2 ? null : (9_000 + w) * 1024, requests: seq * 3 + w, state: w % 4 ? 'idle' : 'busy',
    })),
    requests: seq % 2 ? [] : [{ method: 'GET', route: '/', status: 200, count: 5, durationSum: 1, buckets: [4, 1, 0], responseBytes: 9 }],
  });
  const store = new Store();
  const id = store.connect(hello);
  const emitted: HistoryPoint[] = [];
  store.on('update', (_server, p: HistoryPoint) => emitted.push(p));
  for (let seq = 0; seq < 3600 + 90; seq++) store.sample(id, frame(seq));
  const hour = emitted.slice(-3600);
  assertSame(store.history(id), hour);
  assertSame(store.history(id, 300), hour.filter((p) => p.at > hour[hour.length - 1].at - 300));
  assert.equal(store.history(id, 300).length, 300);
  assert.equal(store.history(id, 900).length, 900);
  assert.deepEqual(store.history('nope'), []);
});
