// Where the flame graph draws each frame, and how its zoom survives a live update (DOM-free, run in Node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameKey, hitTest, layoutFlame, pathKeys, resolvePath } from '../../../../webview/profile/flameLayout';
import { node, sampleTree } from './profileTrees';

const summary = (rects: ReturnType<typeof layoutFlame>['rects']) => rects.map((r) => [r.node.name, r.depth, r.x, r.w, r.ancestor]);

test('unzoomed: the root spans the width, each frame is as wide as its share, callees below their callers', () => {
  const root = sampleTree();
  const layout = layoutFlame([root], 1000);
  assert.deepEqual(summary(layout.rects), [
    ['(all)', 0, 0, 1000, false],
    ['handle', 1, 0, 800, false], ['SyncWorker.accept', 1, 800, 200, false],
    ['burn', 2, 0, 600, false], ['render', 2, 600, 200, false],
    ['burn', 3, 600, 100, false],
  ]);
  assert.equal(layout.depth, 4);
});

test('zoomed into a frame: it spans the width, its callers are full-width bars above it', () => {
  const root = sampleTree();
  const path = resolvePath(root, [frameKey(root.children[0]!), frameKey(root.children[0]!.children[1]!)]);
  assert.deepEqual(path.map((n) => n.name), ['(all)', 'handle', 'render']);
  const layout = layoutFlame(path, 500);
  assert.deepEqual(summary(layout.rects), [
    ['(all)', 0, 0, 500, true], ['handle', 1, 0, 500, true],
    ['render', 2, 0, 500, false], ['burn', 3, 0, 250, false],
  ]);
});

test('frames narrower than the minimum are not laid out, nor anything under them', () => {
  const root = node('(all)', '', 0, 0, [node('big', 'a.py', 1, 999), node('tiny', 'a.py', 2, 0, [node('tinier', 'a.py', 3, 1)])]);
  const names = layoutFlame([root], 100, 0.5).rects.map((r) => r.node.name);
  assert.deepEqual(names, ['(all)', 'big']);
  assert.deepEqual(layoutFlame([root], 1000, 0.5).rects.map((r) => r.node.name), ['(all)', 'big', 'tiny', 'tinier']);
});

test('a live update keeps the zoom while the frame exists, else the deepest caller still there', () => {
  const before = sampleTree();
  const keys = pathKeys(resolvePath(before, [frameKey({ name: 'handle', file: '/srv/app.py', line: 40 }), frameKey({ name: 'render', file: '/srv/app.py', line: 30 })]));
  const after = sampleTree();
  assert.deepEqual(resolvePath(after, keys).map((n) => n.name), ['(all)', 'handle', 'render']);
  after.children[0]!.children.pop(); // render no longer sampled
  assert.deepEqual(resolvePath(after, keys).map((n) => n.name), ['(all)', 'handle']);
});

test('the hit test finds the frame under a point, and nothing between frames or below the graph', () => {
  const layout = layoutFlame([sampleTree()], 1000);
  assert.equal(hitTest(layout, 650, 3 * 18 + 5, 18)?.node.name, 'burn');
  assert.equal(hitTest(layout, 850, 18 + 1, 18)?.node.name, 'SyncWorker.accept');
  assert.equal(hitTest(layout, 750, 3 * 18 + 5, 18), null);
  assert.equal(hitTest(layout, 10, 4 * 18 + 1, 18), null);
});
