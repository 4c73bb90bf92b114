import assert from 'node:assert/strict';
import test from 'node:test';
import { HistoryRing } from '../../../extension/hub/historyRing';
import { Store } from '../../../extension/hub/store';
import type { HelloFrame, SampleFrame } from '../../../extension/protocol/agent';
import { connectMessages, SNAPSHOT_SECONDS } from '../../../extension/hub/uiFeed';
import type { HistoryPoint, HubToUi, ServerView } from '../../../extension/protocol/ui';

type Worker = HistoryPoint['workers'][number];
const worker = (pid: number, cpuPercent: number | null, rssBytes: number | null, pssBytes: number | null, rps: number): Worker =>
  ({ pid, cpuPercent, rssBytes, pssBytes, rps });

/** A point as historyPoint() builds it (same key order), with the optional fields chosen by `i`. */
function point(i: number, workers: Worker[]): HistoryPoint {
  const p: HistoryPoint = { at: 1_763_776_800.25 + i + (i % 7) / 1000, rps: (i * 10) / 1.003, workers };
  if (i % 3 === 0) p.latency = { p50: 0.0123 * i, p95: 0.25, p99: 2.5 };
  else if (i % 3 === 1) p.latency = null;
  if (i % 4 !== 3) p.status = { '2xx': i / 1.003, '3xx': 0, '4xx': 1 / 3, '5xx': i % 5 };
  if (i % 5 !== 4) p.busy = i % 9;
  return p;
}

/** Asserts the points read back are the points pushed: same values (Object.is), same keys, same order. */
function assertSame(actual: HistoryPoint[], expected: HistoryPoint[]): void {
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

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

test('a dashboard gets the last 5 minutes at once, then the older history newest first, each point once', () => {
  // Full: every live point pushes the oldest out.
  const ring = new HistoryRing(1000);
  const all = Array.from({ length: 1000 }, (_, i) => point(i, [worker(7, 1, 4096, 4096, 1)]));
  for (const p of all) ring.push(p);
  const messages = connectMessages([{ id: 's' } as ServerView], () => ring);
  const first = messages.next().value as Extract<HubToUi, { type: 'snapshot' }>;
  assert.equal(first.type, 'snapshot');
  const newest = all[999].at;
  assertSame(first.history.s, all.filter((p) => p.at > newest - SNAPSHOT_SECONDS));
  // Live samples arrive while the slices go out, and the hour's oldest points leave the ring meanwhile.
  const sliced: HistoryPoint[][] = [];
  for (const message of messages) {
    assert.equal(message.type, 'history');
    sliced.push((message as Extract<HubToUi, { type: 'history' }>).points);
    ring.push(point(1000 + sliced.length, [worker(7, 1, 4096, 4096, 1)]));
  }
  assert.ok(sliced.every((s) => s.length > 0 && s.length <= 150), 'slices of at most 150 points');
  const cut = 1000 - first.history.s.length;
  const older = sliced.reverse().flat();
  // Only the points pushed out before their slice's turn are missing, and only from the oldest end.
  assert.ok(older.length >= cut - sliced.length, `${older.length} of ${cut} older points sent`);
  assertSame(older, all.slice(cut - older.length, cut));
});
