import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StackTable } from '../../../../extension/hub/profile/stackTable';

test('the same frame and the same stack get the same id, whatever frame they came in', () => {
  const t = new StackTable();
  const a = t.frameId({ file: '/a.py', line: 1, function: 'f' });
  const b = t.frameId({ file: '/a.py', line: 2, function: 'f' });
  assert.equal(t.frameId({ file: '/a.py', line: 1, function: 'f' }), a);
  assert.notEqual(a, b);
  const s = t.stackId([a, b]);
  assert.equal(t.stackId([a, b]), s);
  assert.notEqual(t.stackId([b, a]), s);
  assert.deepEqual(t.stacks[s], [a, b]);
  assert.deepEqual(t.frames[b], { file: '/a.py', line: 2, function: 'f' });
});

test('past its bounds a new frame or stack gets -1, and a stack with such a frame too; known ones still resolve', () => {
  const t = new StackTable(2, 3);
  const ids = [1, 2, 3].map((line) => t.frameId({ file: '/a.py', line, function: 'f' }));
  assert.deepEqual(ids, [0, 1, 2]);
  assert.equal(t.frameId({ file: '/a.py', line: 4, function: 'f' }), -1);
  assert.equal(t.stackId([0]), 0);
  assert.equal(t.stackId([0, 1]), 1);
  assert.equal(t.stackId([0, 2]), -1);
  assert.equal(t.stackId([0, -1]), -1);
  assert.equal(t.stackId([0, 1]), 1);
});
