// The dashboard's DOM-free logic, run in Node: how long windows are thinned (so spikes and areas survive),
// what the controls say a signal did, and how exits and latencies read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LifecycleEvent } from '../../extension/protocol/agent';
import type { ServerView } from '../../extension/protocol/ui';
import { progress, startEffect } from '../../webview/commandEffects';
import { formatExit, formatLatency } from '../../webview/format';
import { bucketFor, bucketMeans, bucketMinMax } from '../../webview/thin';

const series = (ys: number[], stepMs = 1000) => ys.map((y, i) => ({ x: 10_000 + i * stepMs, y }));

test('min-max thinning keeps each bucket\'s lowest and highest point, in time order', () => {
  // Buckets of 4 s from x = 8000: [10000, 11000], [12000 … 15000], [16000 … 19000], [20000].
  const out = bucketMinMax(series([1, 9, 5, 0, 2, 3, 3, 3, 3, 7, 8]), 4000);
  assert.deepEqual(out.map((p) => [p.x, p.y]), [[10_000, 1], [11_000, 9], [12_000, 5], [13_000, 0], [16_000, 3], [19_000, 7], [20_000, 8]]);
});

test('mean thinning keeps the area: the mean of each bucket, at the mean time', () => {
  const out = bucketMeans(series([2, 4, 6, 8, 10]), 2000);
  // Buckets [10000, 11000], [12000, 13000], [14000].
  assert.deepEqual(out, [{ x: 10_500, y: 3 }, { x: 12_500, y: 7 }, { x: 14_000, y: 10 }]);
});

test('the bucket leaves about the asked number of points, and none below two seconds', () => {
  assert.equal(bucketFor(15 * 60_000, 200, 2), 9000); // 15 min at two points per bucket
  assert.equal(bucketFor(15 * 60_000, 200, 1), 5000);
  assert.equal(bucketFor(60_000, 200, 2), 0); // a minute is drawn as sampled
});

const server = (pids: number[], connected = true) => ({ id: 's1', workers: pids.map((pid) => ({ pid })), connected }) as unknown as ServerView;
const signal = (name: string, at: number): LifecycleEvent => ({ type: 'signal', signal: name as 'SIGHUP', at });

test('HUP is done when every old worker is gone and new ones came', () => {
  const effect = startEffect('HUP', server([11, 12]), []);
  assert.deepEqual(progress(effect, server([11, 12, 21]), []), { done: false, text: '1 new worker (21), 0 of 2 old exited' });
  assert.deepEqual(progress(effect, server([21, 22]), []), { done: true, text: '2 new workers (21, 22), 2 of 2 old exited' });
});

test('TTIN, TTOU, USR1 and QUIT each wait for their own effect', () => {
  assert.deepEqual(progress(startEffect('TTIN', server([1]), []), server([1, 2]), []), { done: true, text: 'worker 2 added' });
  assert.deepEqual(progress(startEffect('TTOU', server([1, 2]), []), server([2]), []), { done: true, text: 'worker 1 stopped' });
  const usr1 = startEffect('USR1', server([1]), [signal('SIGUSR1', 1)]);
  assert.equal(progress(usr1, server([1]), [signal('SIGUSR1', 1)]).done, false, 'an earlier SIGUSR1 is not this one');
  assert.deepEqual(progress(usr1, server([1]), [signal('SIGUSR1', 1), signal('SIGUSR1', 2)]),
    { done: true, text: 'the master received SIGUSR1 and reopened its logs' });
  assert.deepEqual(progress(startEffect('QUIT', server([1]), []), server([], false), []), { done: true, text: 'the server stopped' });
});

test('exits and latencies read as one short phrase', () => {
  assert.equal(formatExit({ reason: 'timeout', signal: 'SIGABRT', exitCode: 1 }), 'timeout (SIGABRT), exit code 1');
  assert.equal(formatExit({ reason: 'signal', signal: 'SIGKILL' }), 'signal SIGKILL');
  assert.equal(formatExit({ reason: 'signal', signal: 'SIGKILL', oom: true }), 'signal SIGKILL, out of memory');
  assert.equal(formatExit({ reason: 'max_requests', exitCode: 0 }), 'max requests');
  assert.equal(formatLatency(0.0042), '4.2 ms');
  assert.equal(formatLatency(0.25), '250 ms');
  assert.equal(formatLatency(2.5), '2.50 s');
  assert.equal(formatLatency(null), '—');
});
