import assert from 'node:assert/strict';
import test from 'node:test';
import { RingBuffer } from '../../../extension/hub/ringBuffer';

test('ring buffer keeps the newest items in order', () => {
  const ring = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.deepEqual(ring.toArray(2), [4, 5]);
  assert.equal(ring.newest(), 5);
  assert.equal(ring.length, 3);
  assert.throws(() => new RingBuffer(0), RangeError);
});
