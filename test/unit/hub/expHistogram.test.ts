// The hub's exponential histogram: the same bucket indexes as the agent (shared vectors), exact merging,
// and quantiles within the scale's error of the truth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { bucketIndex, ExpHistogram, MAX_INDEX, MIN_INDEX, SCALE } from '../../../extension/hub/expHistogram';

const vectors = JSON.parse(readFileSync(join(__dirname, '..', '..', 'vectors', 'exphist.json'), 'utf8')) as {
  scale: number; minIndex: number; maxIndex: number; cases: Array<{ seconds: number; index: number | null }>;
};

/** A deterministic stream of log-normal durations (seconds). */
function durations(n: number, median: number, sigma: number, seed = 1): number[] {
  let s = seed;
  const uniform = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from({ length: n }, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())));
}

test('bucket indexes are the agent\'s: every shared vector, powers of two and sub-microsecond values included', () => {
  assert.deepEqual([vectors.scale, vectors.minIndex, vectors.maxIndex], [SCALE, MIN_INDEX, MAX_INDEX]);
  assert.ok(vectors.cases.length > 40);
  for (const c of vectors.cases) {
    if (c.index === null) {
      assert.equal(new ExpHistogram().record(c.seconds).zeroCount, 1);
      continue;
    }
    assert.equal(bucketIndex(c.seconds), c.index, `${c.seconds}`);
  }
  for (let k = -29; k < 19; k++) assert.equal(bucketIndex(2 ** k), k * 16 - 1, `2^${k}`);
});

test('merging intervals equals the histogram of all requests, through the wire form', () => {
  const all = durations(5000, 0.002, 1.5);
  const whole = new ExpHistogram();
  for (const d of all) whole.record(d);
  const merged = new ExpHistogram();
  for (let i = 0; i < all.length; i += 97) {
    const part = new ExpHistogram();
    for (const d of all.slice(i, i + 97)) part.record(d);
    merged.addWire(part.toWire());
  }
  assert.deepEqual([...merged.buckets].sort((a, b) => a[0] - b[0]), [...whole.buckets].sort((a, b) => a[0] - b[0]));
  assert.equal(merged.count, 5000);
  assert.throws(() => merged.addWire({ scale: 3, zeroCount: 0, offset: 0, counts: [1] }), /scale 3/);
});

test('quantiles within 2.5 % of the exact ones; one repeated value reads back exactly with min and max', () => {
  const all = durations(20000, 0.0003, 1.0, 5).sort((a, b) => a - b);
  const h = new ExpHistogram();
  for (const d of all) h.record(d);
  for (const q of [0.5, 0.9, 0.95, 0.99]) {
    const truth = all[Math.floor(q * all.length) - 1];
    const got = h.quantile(q)!;
    assert.ok(Math.abs(got - truth) / truth < 0.025, `q${q}: ${got} vs ${truth}`);
  }
  const one = new ExpHistogram().record(0.00024, 1000);
  assert.equal(one.quantile(0.5, 0.00024, 0.00024), 0.00024);
  assert.ok(Math.abs(one.quantile(0.5)! - 0.00024) / 0.00024 < 0.045);
  assert.equal(new ExpHistogram().quantile(0.5), null);
});

test('classic buckets derived from the exponential ones', () => {
  const h = new ExpHistogram();
  for (const d of [0.0001, 0.0002, 0.0009, 0.004, 0.2, 0]) h.record(d);
  assert.deepEqual(h.classic([0.00025, 0.001, 0.005]), [3, 1, 1, 1]);
});
