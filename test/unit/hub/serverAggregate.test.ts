import assert from 'node:assert/strict';
import test from 'node:test';
import { historyPointsFor, ServerAggregate } from '../../../extension/hub/serverAggregate';
import type { RequestGroup, SampleFrame } from '../../../extension/protocol/agent';

const group = (count: number, route = '/', status = 200): RequestGroup =>
  ({ method: 'GET', route, status, count, durationSum: 0.1 * count, buckets: [count, 0], responseBytes: 0 });
const frame = (seq: number, at: number, workers: Array<[number, number]>, requests: RequestGroup[], extra: Partial<SampleFrame> = {}): SampleFrame => ({
  type: 'sample', seq, at, master: { pid: 1, cpuPercent: 0, rssBytes: 0 }, targetWorkers: 1,
  workers: workers.map(([pid, served]) => ({ pid, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests: served })),
  requests, ...extra,
});
const aggregate = () => new ServerAggregate([0.5], 100, 10);

test('history holds an hour at the agent\'s interval, bounded below 0.25 s', () => {
  assert.deepEqual([2, 1, 0.5, 0.25, 0.05].map(historyPointsFor), [1800, 3600, 7200, 14400, 14400]);
});

test('an older master\'s requests count at once, and join the current master\'s next point and the routes', () => {
  const a = aggregate();
  a.olderSample(frame(0, 1, [[11, 8]], [group(8, '/old')]));
  assert.equal(a.requestsTotal, 8);
  assert.deepEqual(a.routeViews(), [], 'the routes wait for the current master\'s interval');
  const older = a.workerViews([{ pid: 11, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests: 8 }]);
  const point = a.sample(frame(0, 2, [[21, 7]], [group(7)]), older);
  assert.equal(a.requestsTotal, 15);
  assert.deepEqual(point.workers.map((w) => w.pid), [21, 11]);
  assert.equal(point.rps, 15, 'both masters\' requests, over a first interval of 1 s');
  assert.deepEqual(a.routeViews().map((r) => [r.route, r.count]), [['/old', 8], ['/', 7]]);
  assert.deepEqual(a.requestTotals().totals.map((t) => [t.route, t.count]), [['/old', 8], ['/', 7]]);
  assert.deepEqual(a.history.toArray(), [point]);
  const next = a.sample(frame(1, 4, [[21, 9]], [group(2)]), []);
  assert.equal(next.rps, 1, 'only what came since, over the 2 s since the last point');
});

test('a new master carries the totals on; other histogram bounds start new request totals', () => {
  const a = aggregate();
  a.sample(frame(0, 1, [], [group(3)]), []);
  a.newMaster([0.5]);
  assert.equal(a.requestTotals().totals[0].count, 3);
  a.newMaster([0.1, 1]);
  assert.deepEqual(a.requestTotals(), { durationBuckets: [0.1, 1], totals: [] });
  assert.deepEqual(a.routeViews(), []);
  assert.equal(a.requestsTotal, 3, 'the server\'s request count never goes back');
  assert.equal(a.history.toArray().length, 1);
});

test('samples lost: gaps the hub saw plus what the current master\'s agent dropped', () => {
  const a = aggregate();
  a.droppedSamples = 2;
  a.sample(frame(5, 1, [], [], { dropped: 4 }), []);
  assert.equal(a.samplesLost, 6);
  a.sample(frame(6, 2, [], []), []);
  assert.equal(a.samplesLost, 6, 'an agent that stops saying keeps its last figure');
  a.masterChanged();
  assert.equal(a.samplesLost, 2);
});

test('exited requests are raised to what the totals prove, never lowered', () => {
  const a = aggregate();
  a.sample(frame(0, 1, [[2, 10]], [group(40)]), []);
  a.settleExited(a.workerViews([{ pid: 2, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests: 10 }]));
  assert.equal(a.counters.exitedWorkerRequests, 30);
  a.counters.exitedWorkerRequests = 35;
  a.settleExited([]);
  assert.equal(a.counters.exitedWorkerRequests, 40);
  a.counters.exitedWorkerRequests = 50;
  a.settleExited([]);
  assert.equal(a.counters.exitedWorkerRequests, 50);
});

test('events: kept newest last, counted by exit reason, OOM kill and signal, and paired with the worker views', () => {
  const a = new ServerAggregate([0.5], 100, 3);
  a.event({ type: 'worker_exit', pid: 2, reason: 'signal', signal: 'SIGKILL', oom: true, at: 1 });
  a.event({ type: 'worker_spawn', pid: 3, at: 1.1 });
  a.event({ type: 'signal', signal: 'SIGHUP', at: 2 });
  a.event({ type: 'worker_exit', pid: 3, reason: 'timeout', at: 3 });
  assert.deepEqual(a.events.toArray().map((e) => e.type), ['worker_spawn', 'signal', 'worker_exit']);
  assert.equal(a.counters.requestsStuck, 0);
  const stack = [{ file: '/srv/app.py', line: 30, function: 'spin' }];
  a.event({ type: 'request_stuck', pid: 3, method: 'GET', route: '/spin', elapsed: 30.5, stack, at: 4 });
  assert.deepEqual(a.events.toArray().at(-1), { type: 'request_stuck', pid: 3, method: 'GET', route: '/spin', elapsed: 30.5, stack, at: 4 });
  assert.equal(a.counters.requestsStuck, 1);
  assert.deepEqual(a.counters.exits, new Map([['signal', 1], ['timeout', 1]]));
  assert.equal(a.counters.oomKills, 1);
  assert.deepEqual(a.counters.signals, new Map([['SIGHUP', 1]]));
  const [view] = a.workerViews([{ pid: 3, age: 1, bootedAt: 1.1, cpuPercent: 0, rssBytes: 1, requests: 0, inFlightCount: 2 }]);
  // A stuck request is no exit: the worker's last exit is still the one it replaced.
  assert.deepEqual(view.lastExit, { pid: 2, reason: 'signal', signal: 'SIGKILL', at: 1 });
  assert.equal(view.inFlightCount, 2);
  assert.equal('inFlight' in view, false);
});

test('client disconnects count from every master\'s samples', () => {
  const a = aggregate();
  a.olderSample(frame(0, 1, [], [], { clientDisconnects: 2 }));
  a.sample(frame(0, 1, [], [], { clientDisconnects: 3 }), []);
  assert.equal(a.counters.clientDisconnects, 5);
});
