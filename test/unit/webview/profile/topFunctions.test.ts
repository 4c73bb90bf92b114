// The top-functions table's numbers: each function once, self summed over its frames, total counting a
// recursive call once, and its hottest line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topFunctions } from '../../../../webview/profile/topFunctions';
import { APP, GUNICORN, node, sampleTree } from './profileTrees';

test('self and total per function, most self first, each line of a function counted in it', () => {
  assert.deepEqual(topFunctions(sampleTree()), [
    { name: 'burn', file: APP, line: 12, self: 70, total: 70 },
    { name: 'SyncWorker.accept', file: GUNICORN, line: 33, self: 20, total: 20 },
    { name: 'render', file: APP, line: 30, self: 10, total: 20 },
    { name: 'handle', file: APP, line: 40, self: 0, total: 80 },
  ]);
});

test('recursion: a function on the stack twice counts those samples once in its total', () => {
  const root = node('(all)', '', 0, 0, [node('walk', 'a.py', 5, 1, [node('walk', 'a.py', 6, 2, [node('leaf', 'a.py', 9, 3)])])]);
  const byName = Object.fromEntries(topFunctions(root).map((f) => [f.name, f]));
  assert.equal(byName.walk!.total, 6);
  assert.equal(byName.walk!.self, 3);
  // The hottest line: the one with the most self samples (line 6: 2 against line 5: 1).
  assert.equal(byName.walk!.line, 6);
  assert.equal(byName.leaf!.total, 3);
});

test('same name in another file is another function; an empty profile has none', () => {
  const root = node('(all)', '', 0, 0, [node('run', 'a.py', 1, 4), node('run', 'b.py', 1, 2)]);
  assert.deepEqual(topFunctions(root).map((f) => [f.file, f.self]), [['a.py', 4], ['b.py', 2]]);
  assert.deepEqual(topFunctions(node('(all)', '', 0, 0)), []);
});
