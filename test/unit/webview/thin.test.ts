// How long windows are thinned so spikes and areas survive (DOM-free, run in Node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketFor, bucketMeans, bucketMinMax } from '../../../webview/thin';

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
