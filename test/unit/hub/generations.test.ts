import assert from 'node:assert/strict';
import test from 'node:test';
import { Generations } from '../../../extension/hub/generations';
import type { WorkerView } from '../../../extension/protocol/ui';

const workers = (...counts: Array<[pid: number, requests: number]>): WorkerView[] => counts.map(([pid, requests]) => ({
  pid, age: 1, bootedAt: 0, cpuPercent: 0, rssBytes: 1, pssBytes: null, requests, state: null, lastExit: null,
}));
const pids = (ws: WorkerView[]) => ws.map((w) => w.pid);

/** Generations of a server whose first master is 10 (started at 100), with the exited requests it reports summed. */
function server() {
  const exited = { requests: 0 };
  const g = new Generations(10, 100, (requests) => (exited.requests += requests));
  g.setWorkers(g.current, workers([11, 5], [12, 7]));
  return { g, exited };
}

test('USR2: the new master is the server\'s, the old one and its workers serve on until it leaves', () => {
  const { g, exited } = server();
  assert.equal(g.hello(20, 200), 'new');
  assert.equal(g.current.pid, 20);
  assert.deepEqual(pids(g.workers()), [11, 12]);
  g.setWorkers(g.current, workers([21, 0]));
  assert.deepEqual(pids(g.workers()), [21, 11, 12], 'the current master\'s workers first');
  assert.deepEqual(pids(g.olderWorkers()), [11, 12]);
  assert.equal(g.master(10)?.startedAt, 100);
  assert.equal(exited.requests, 0, 'nothing has exited yet');
  assert.equal(g.leave(0, 10), 'older');
  assert.deepEqual(pids(g.workers()), [21]);
  assert.equal(g.master(10), undefined);
  assert.equal(exited.requests, 12, 'the old workers\' last counts');
  assert.equal(g.connected, true);
});

test('an older master\'s hello after a reconnect keeps the newer one as the server\'s master', () => {
  const { g } = server();
  g.hello(20, 200);
  g.leave(0, 10);
  assert.equal(g.hello(10, 100), 'older');
  assert.equal(g.current.pid, 20);
  assert.deepEqual(pids(g.olderWorkers()), [11, 12], 'its workers come back with it');
  assert.equal(g.hello(20, 200), 'same');
});

test('the current master leaves while older ones serve (USR2 undone): the newest of them is the server\'s again', () => {
  const { g, exited } = server();
  g.hello(20, 200);
  g.hello(30, 300);
  g.setWorkers(g.current, workers([31, 4]));
  g.current.lastSeq = 9;
  assert.equal(g.leave(0), 'promoted');
  assert.deepEqual([g.current.pid, g.current.startedAt], [20, 200]);
  assert.equal(exited.requests, 4);
  assert.equal(g.leave(0), 'promoted');
  assert.equal(g.current.pid, 10);
  assert.deepEqual(pids(g.workers()), [11, 12]);
  assert.equal(g.leave(5000), 'disconnected');
  assert.deepEqual([g.connected, g.disconnectedAt], [false, 5000]);
  assert.equal(exited.requests, 4, 'the last master\'s workers are not counted as exited while the server is only disconnected');
});

test('a restart: the old master left before the new one said hello, so its workers have exited', () => {
  const { g, exited } = server();
  assert.equal(g.leave(1000), 'disconnected');
  assert.equal(g.hello(30, 300), 'new');
  assert.deepEqual([g.connected, g.disconnectedAt], [true, null]);
  assert.deepEqual(g.workers(), []);
  assert.equal(exited.requests, 12);
});

test('a departed master that says hello again (only its connection was lost) brings its workers back once', () => {
  const { g, exited } = server();
  g.hello(20, 200);
  g.leave(0, 10);
  assert.equal(exited.requests, 12);
  g.hello(10, 100);
  assert.equal(exited.requests, 0);
  g.leave(0, 10);
  g.hello(10, 999); // the same pid, another process: nothing comes back
  assert.deepEqual(g.olderWorkers(), []);
  assert.equal(exited.requests, 12);
});

test('departed masters remembered are bounded: the ninth departure forgets the first', () => {
  const { g, exited } = server();
  for (let pid = 20; pid <= 100; pid += 10) {
    g.hello(pid, pid * 10);
    g.leave(0, pid - 10); // master pid-10 leaves; the first departs with 12 requests
  }
  assert.equal(exited.requests, 12);
  g.hello(10, 100);
  assert.deepEqual(g.olderWorkers(), [], 'master 10 was forgotten: its workers stay exited');
  assert.equal(exited.requests, 12);
});

test('samples: gaps in seq are counted per master, workers gone from a sample have exited with their last count', () => {
  const { g, exited } = server();
  g.hello(20, 200);
  const old = g.master(10)!;
  assert.equal(g.sampled(g.current, 0), 0);
  assert.equal(g.sampled(g.current, 3), 2);
  assert.equal(g.sampled(old, 7), 0, 'the older master keeps its own seq');
  assert.equal(g.sampled(old, 8), 0);
  g.setWorkers(old, workers([12, 9], [13, 1]));
  assert.equal(exited.requests, 5, 'worker 11 exited after 5 requests');
  assert.equal(g.leave(0, 99), 'unknown');
});
