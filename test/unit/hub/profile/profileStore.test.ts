import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProfileStore } from '../../../../extension/hub/profile/profileStore';
import type { ProfileNode } from '../../../../extension/protocol/ui';
import { F, profileFrame } from './profileFrames';

const T = 1_000_000; // a 10-second boundary

function store(): ProfileStore {
  const s = new ProfileStore();
  s.hello(97);
  // Two frames for the same interval (a master splits a big one), two workers, three routes.
  s.add(profileFrame(T + 1, [
    [11, 'GET', '/cpu', [F.main, F.burn], 90, 88],
    [11, 'GET', '/sleep', [F.main, F.sleep], 95, 2],
  ]));
  s.add(profileFrame(T + 1, [
    [12, 'GET', '/cpu', [F.main, F.burn], 10, 10],
    [12, 'GET', '/cpu', [F.main], 5, 5],
    [12, '', '(idle)', [F.accept], 80, 0],
  ], [{ pid: 12, samples: 7 }]));
  return s;
}

const node = (root: ProfileNode, ...names: string[]) => names.reduce<ProfileNode | undefined>((n, name) => n?.children.find((c) => c.name === name), root);

test('all routes, wall: the tree merges both frames and both workers; totals are sums of self below', () => {
  const r = store().query('srv', { window: 60, mode: 'wall' });
  assert.equal(r.samples, 90 + 95 + 10 + 5 + 80);
  assert.equal(r.root.total, r.samples);
  assert.equal(node(r.root, 'handle')!.total, 200);
  assert.equal(node(r.root, 'handle')!.self, 5);
  assert.equal(node(r.root, 'handle', 'burn')!.total, 100);
  assert.equal(node(r.root, 'handle', 'nap')!.self, 95);
  assert.equal(node(r.root, 'SyncWorker.accept')!.file, F.accept.file);
  assert.deepEqual(r.pids, [11, 12]);
  assert.equal(r.truncated, 7);
  assert.deepEqual(r.routes.map((x) => [x.method, x.route, x.samples, x.cpu]),
    [['GET', '/cpu', 105, 103], ['GET', '/sleep', 95, 2], ['', '(idle)', 80, 0]]);
  assert.deepEqual([r.hz, r.profilerOn, r.from, r.to], [97, true, T, T + 10]);
  const check = (n: ProfileNode): number => {
    assert.equal(n.total, n.self + n.children.reduce((a, c) => a + check(c), 0), n.name);
    return n.total;
  };
  check(r.root);
});

test('route, pid and mode filters', () => {
  const s = store();
  const cpu = s.query('srv', { window: 60, mode: 'cpu', route: 'GET /cpu' });
  assert.equal(cpu.samples, 88 + 10 + 5);
  assert.equal(node(cpu.root, 'handle', 'burn')!.total, 98);
  const sleepCpu = s.query('srv', { window: 60, mode: 'cpu', route: 'GET /sleep' });
  assert.equal(sleepCpu.samples, 2);
  const idle = s.query('srv', { window: 60, mode: 'wall', route: '(idle)' });
  assert.equal(idle.samples, 80);
  const worker = s.query('srv', { window: 60, mode: 'wall', pid: 11 });
  assert.equal(worker.samples, 185);
  assert.equal(worker.truncated, 0);
  assert.deepEqual(worker.routes.map((x) => x.route), ['/sleep', '/cpu']);
  const none = s.query('srv', { window: 60, mode: 'wall', route: 'GET /nowhere' });
  assert.equal(none.samples, 0);
  assert.deepEqual(none.root, { name: '(all)', file: '', line: 0, self: 0, total: 0, children: [] });
});

test('windows reach back from the newest profile; the hello says whether the profiler is on', () => {
  const s = store();
  s.add(profileFrame(T + 125, [[11, 'GET', '/cpu', [F.main, F.burn], 50, 50]]));
  assert.equal(s.query('srv', { window: 60, mode: 'wall' }).samples, 50);
  assert.equal(s.query('srv', { window: 300, mode: 'wall' }).samples, 330);
  s.hello(null);
  assert.equal(s.query('srv', { window: 60, mode: 'wall' }).profilerOn, false);
  s.hello(undefined);
  assert.equal(s.query('srv', { window: 60, mode: 'wall' }).profilerOn, false);
});

test('minShare merges the frames too small to draw into one "(smaller frames)" node per parent; totals still add up', () => {
  const r = store().query('srv', { window: 60, mode: 'wall' }, 0.1);
  // 280 samples: a threshold of 28. handle's children burn (100) and nap (95) stay; its self 5 stays too.
  assert.deepEqual(node(r.root, 'handle')!.children.map((c) => [c.name, c.total]), [['burn', 100], ['nap', 95]]);
  const pruned = store().query('srv', { window: 60, mode: 'wall' }, 0.4);
  // 112 and up: handle (200) stays, its children merge; the (idle) accept frame (80) merges at the root.
  assert.deepEqual(pruned.root.children.map((c) => [c.name, c.self, c.total]), [['handle', 5, 200], ['(smaller frames)', 80, 80]]);
  assert.deepEqual(node(pruned.root, 'handle')!.children.map((c) => [c.name, c.self, c.total]), [['(smaller frames)', 195, 195]]);
  assert.equal(pruned.samples, 280);
});
