// The Profile view's search: which frames match and what share of samples passes through them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchFrames } from '../../../../webview/profile/flameSearch';
import { sampleTree } from './profileTrees';

test('matches function names and files, case-insensitively; a match inside a match counts its samples once', () => {
  const root = sampleTree();
  const burn = searchFrames(root, 'BURN');
  assert.deepEqual([...burn.matches].map((n) => `${n.name}:${n.line}`).sort(), ['burn:12', 'burn:13']);
  assert.equal(burn.samples, 70);
  // Every frame has an "n": handle's 80 samples count once, not again for burn and render under it.
  const n = searchFrames(root, 'n');
  assert.deepEqual([...n.matches].map((m) => m.name).sort(), ['SyncWorker.accept', 'burn', 'burn', 'handle', 'render']);
  assert.equal(n.samples, 80 + 20);
  // "er" in render's name and in Gunicorn's file (workers/): 20 + 20, not the burn beneath render again.
  assert.equal(searchFrames(root, 'er').samples, 40);
  assert.equal(searchFrames(root, 'dist-packages/gunicorn').samples, 20);
});

test('an empty or blank query matches nothing, and the root never matches', () => {
  assert.equal(searchFrames(sampleTree(), '  ').matches.size, 0);
  assert.equal(searchFrames(sampleTree(), '(all)').matches.size, 0);
});
