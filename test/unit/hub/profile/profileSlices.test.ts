import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_ROUTE_IDS, ProfileSlices, routeOf, routeStack, Slice, stackOf } from '../../../../extension/hub/profile/profileSlices';

test('route and stack pack into one small integer, exactly, up to their limits', () => {
  for (const [route, stack] of [[0, 0], [MAX_ROUTE_IDS - 1, 131_071], [17, 4999]]) {
    const rs = routeStack(route, stack);
    assert.ok(rs < 2 ** 30);
    assert.deepEqual([routeOf(rs), stackOf(rs)], [route, stack]);
  }
});

const rows = (s: Slice, perWorker: boolean) => {
  const e = s.entries(perWorker);
  const out: number[][] = [];
  for (let i = 0; i < e.n; i++) out.push([e.rs[i], ...(e.pid ? [e.pid[i]] : []), e.wall[i], e.cpu[i]]);
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
};

test('a slice counts wall and cpu per (route, stack, worker), the same sealed as open, summed over workers once sealed', () => {
  const s = new Slice(0, 10, 4);
  assert.ok(s.add(routeStack(2, 5), 7, 97, 90));
  assert.ok(s.add(routeStack(2, 5), 7, 3, 0));
  assert.ok(s.add(routeStack(2, 5), 8, 10, 10));
  assert.ok(s.add(routeStack(1, 5), 7, 1, 1));
  assert.ok(s.add(routeStack(3, 1), 8, 2, 2));
  assert.equal(s.add(routeStack(4, 1), 8, 2, 2), false, 'bounded');
  const open = rows(s, true);
  assert.deepEqual(open, [[routeStack(1, 5), 7, 1, 1], [routeStack(2, 5), 7, 100, 90], [routeStack(2, 5), 8, 10, 10], [routeStack(3, 1), 8, 2, 2]]);
  assert.deepEqual(rows(s, false), open, 'open: the per-worker entries');
  s.seal();
  assert.deepEqual(rows(s, true), open);
  assert.deepEqual(rows(s, false), [[routeStack(1, 5), 1, 1], [routeStack(2, 5), 110, 100], [routeStack(3, 1), 2, 2]]);
  assert.deepEqual([...s.pids()].sort(), [7, 8]);
  // A late add opens it again, with nothing lost.
  assert.ok(s.add(routeStack(2, 5), 8, 1, 1));
  assert.deepEqual(rows(s, true)[2], [routeStack(2, 5), 8, 11, 11]);
  assert.equal(s.size, 4);
});

test('windows: 10 s slices up to 5 minutes, 1 min up to 15, 5 min up to the hour, and no more kept', () => {
  const p = new ProfileSlices();
  for (let at = 0; at < 7200; at++) for (const slice of p.slicesAt(at + 0.5)) slice.add(0, 1, 1, 0);
  const total = (w: number) => p.window(w).reduce((n, s) => n + rows(s, true).reduce((m, e) => m + e[2], 0), 0);
  // newest 7199.5: a 60 s window is the 6 slices of 10 s from 7140.
  assert.equal(total(60), 60);
  assert.equal(total(300), 300);
  assert.equal(p.window(300)[0].start, 6900);
  // 301 s → the minute tier: 6 slices of 60 s, from 6840.
  assert.equal(total(301), 360);
  assert.equal(total(900), 900);
  // 901 s → the 5-minute tier: 4 slices, from 6000.
  assert.equal(total(901), 1200);
  assert.equal(total(3600), 3600);
  assert.equal(p.sliceCount, 30 + 15 + 12);
  // Samples older than the hour go nowhere.
  assert.deepEqual(p.slicesAt(100), []);
});
