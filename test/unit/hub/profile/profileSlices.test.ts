import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuOf, entryKey, MAX_ROUTE_IDS, ProfileSlices, Slice, splitKey, wallOf } from '../../../../extension/hub/profile/profileSlices';

test('a key holds route, pid and stack exactly, up to their limits', () => {
  for (const [route, pid, stack] of [[0, 1, 0], [MAX_ROUTE_IDS - 1, 4_194_303, 131_071], [17, 31337, 4999]]) {
    const key = entryKey(route, pid, stack);
    assert.ok(Number.isSafeInteger(key));
    assert.deepEqual(splitKey(key), { route, pid, stack });
  }
});

test('a slice entry adds wall and cpu samples separately', () => {
  const s = new Slice(0, 10);
  s.add(5, 97, 90);
  s.add(5, 3, 0);
  assert.equal(wallOf(s.entries.get(5)!), 100);
  assert.equal(cpuOf(s.entries.get(5)!), 90);
});

test('windows: 10 s slices up to 5 minutes, 60 s slices beyond, the hour kept and no more', () => {
  const p = new ProfileSlices();
  for (let at = 0; at < 7200; at++) for (const slice of p.slicesAt(at + 0.5)) slice.add(0, 1, 0);
  const total = (w: number) => p.window(w).reduce((n, s) => n + wallOf(s.entries.get(0)!), 0);
  // newest 7199.5: a 60 s window covers the 10 s slices from 7140 (6 of them), 60 samples.
  assert.equal(total(60), 60);
  assert.equal(total(300), 300);
  assert.equal(p.window(300)[0].start, 6900);
  // 301 s → the minute tier: slices from 6840 (6 slices of 60 s).
  assert.equal(total(301), 360);
  assert.equal(total(3600), 3600);
  assert.equal(p.sliceCount, 30 + 60);
  // Samples older than the hour go nowhere.
  assert.deepEqual(p.slicesAt(100), []);
});
