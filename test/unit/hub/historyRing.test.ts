import assert from 'node:assert/strict';
import test from 'node:test';
import { HistoryRing } from '../../../extension/hub/historyRing';
import type { HistoryPoint } from '../../../extension/protocol/ui';
import { assertSame, point, worker } from './historyPoints';

test('history round trip: every point comes back exactly, whatever its workers and optional fields', () => {
  const points: HistoryPoint[] = [
    // Typical agent values: CPU in hundredths, RSS/PSS in KiB — the compact row.
    point(0, [worker(4242, 12.34, 52_736_000, 31_457_280, 3.0), worker(4243, 0, 1024, null, 0)]),
    // The same workers again (their pids array is shared), and nulls where /proc was unreadable.
    point(1, [worker(4242, null, null, null, 9.970089730807578), worker(4243, 99.99, 52_736_000, 0, 1 / 3)]),
    // A worker replaced (new pid), one added: pids change.
    point(2, [worker(4242, 100.5, 2 ** 40, 2 ** 31 * 1024, 2), worker(5001, 7.01, 4096, 4096, 0), worker(5002, 0.01, 8192, null, 0.5)]),
    // Values no compact code holds exactly: the whole point is kept in Float64.
    point(3, [worker(4242, 1 / 3, 52_736_001, 31_457_280, 1), worker(5001, 1e-7, 2 ** 53 - 1, 1023, 2), worker(5002, 3, null, 1024, 0)]),
    point(4, [worker(4242, -0, 4096, 4096, 0), worker(4243, null, 4096, null, 0.25)]),
    point(5, [worker(4242, 2e9, -0, 4096, 0)]),
    // No workers at all (between a master's start and its first worker).
    point(6, []),
    // Pids as large as the protocol allows, exact in Float64.
    point(7, [worker(2 ** 53 - 1, 5, 1024, 1024, 0), worker(1, 5, 1024, 1024, 0)]),
    point(8, [worker(2 ** 53 - 1, 5, 1024, 1024, 0), worker(1, 5, 1024, 1024, 0)]),
  ];
  const ring = new HistoryRing(100);
  for (const p of points) ring.push(p);
  assert.equal(ring.length, points.length);
  assertSame(ring.toArray(), points);
  assert.ok(Object.is(ring.toArray()[4].workers[0].cpuPercent, -0), '-0 stays -0');
  assert.ok(!('latency' in ring.toArray()[2]), 'an absent latency stays absent');
  assert.equal(ring.toArray()[1].latency, null, 'a null latency stays null');
});

test('history round trip: a chunk sized for few workers grows when a point has many', () => {
  const ring = new HistoryRing(3600);
  const few = [worker(10, 1, 1024, 1024, 1)];
  const many = Array.from({ length: 300 }, (_, k) => worker(100 + k, k / 100, (1000 + k) * 1024, null, k / 7));
  const points = [point(0, few), point(1, few), point(2, many), point(3, few), point(4, many), point(5, [])];
  for (const p of points) ring.push(p);
  assertSame(ring.toArray(), points);
});

test('history wraps around: the ring keeps exactly the newest `capacity` points, oldest first', () => {
  const workers = (i: number) => [worker(1000 + (i >> 4), (i % 100) / 4, (i + 1) * 4096, 4096, i / 3)];
  for (const capacity of [1, 5, 60, 61, 150, 3600]) {
    const ring = new HistoryRing(capacity);
    const pushed: HistoryPoint[] = [];
    for (let i = 0; i < capacity * 3 + 7; i++) {
      const p = point(i, workers(i));
      ring.push(p);
      pushed.push(p);
      if (i === capacity - 2) assertSame(ring.toArray(), pushed);
    }
    assert.equal(ring.length, capacity);
    assertSame(ring.toArray(), pushed.slice(-capacity));
  }
  assert.throws(() => new HistoryRing(0), RangeError);
  assert.throws(() => new HistoryRing(1.5), RangeError);
});

test('history window: points newer than the newest minus the window, as before (a clock step back included)', () => {
  const ring = new HistoryRing(200);
  assert.deepEqual(ring.toArray(300), []);
  const ats = [...Array.from({ length: 150 }, (_, i) => 1000 + i + ((i * 7) % 13) / 1000), 1100.5, 1149.2];
  const pushed = ats.map((at, i) => ({ ...point(i, [worker(7, 1, 1024, 1024, 0)]), at }));
  for (const p of pushed) ring.push(p);
  for (const window of [0.5, 1, 10, 48.9, 49.5, 60, 149.2, 1e9]) {
    const newest = pushed[pushed.length - 1].at;
    assertSame(ring.toArray(window), pushed.filter((p) => p.at > newest - window));
  }
  assert.equal(ring.toArray(0.1).length, 1, 'the newest point only');
  assert.equal(ring.toArray(1e9).length, pushed.length);
});

test('points read are copies: changing one does not change the history', () => {
  const ring = new HistoryRing(10);
  ring.push(point(0, [worker(1, 1, 1024, 1024, 1)]));
  const [first] = ring.toArray();
  first.workers[0].pid = 999;
  first.workers.push(worker(2, 0, 0, 0, 0));
  assertSame(ring.toArray(), [point(0, [worker(1, 1, 1024, 1024, 1)])]);
});

test('history read by sequence number: slices stay put while new points push old ones out', () => {
  const ring = new HistoryRing(150);
  const all = Array.from({ length: 400 }, (_, i) => point(i, [worker(7, i % 100, 4096 * i, 4096, 1)]));
  for (const p of all.slice(0, 200)) ring.push(p);
  assert.deepEqual([ring.first, ring.end], [50, 200]);
  assertSame(ring.slice(120, 140), all.slice(120, 140));
  assertSame(ring.slice(0, 60), all.slice(50, 60));
  assert.equal(ring.firstAfter(all[130].at - 0.0001), 130);
  assert.equal(ring.firstAfter(Infinity), 200);
  for (const p of all.slice(200, 270)) ring.push(p);
  // The same numbers still name the same points; those pushed out are gone, not replaced.
  assertSame(ring.slice(120, 140), all.slice(120, 140));
  assertSame(ring.slice(100, 125), all.slice(120, 125));
});
