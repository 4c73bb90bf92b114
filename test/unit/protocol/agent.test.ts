// The shared vectors against the hub's schemas; the Python agent's tests read the same file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { agentFrame, commandFrame, protocolMajor } from '../../../extension/protocol/agent';

const vectors = JSON.parse(readFileSync(join(__dirname, '..', '..', 'vectors', 'agent-frames.json'), 'utf8'));

for (const { name, frame } of vectors.valid) {
  test(`valid agent frame: ${name}`, () => {
    const parsed = agentFrame.safeParse(frame);
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
    assert.deepEqual(parsed.data, frame);
  });
}

for (const { name, frame } of vectors.invalid) {
  test(`invalid agent frame is refused: ${name}`, () => {
    assert.equal(agentFrame.safeParse(frame).success, false);
  });
}

test('commands: allow-listed signals only', () => {
  for (const frame of vectors.commands.valid) assert.ok(commandFrame.safeParse(frame).success, JSON.stringify(frame));
  for (const frame of vectors.commands.invalid) assert.equal(commandFrame.safeParse(frame).success, false, JSON.stringify(frame));
});

test('protocol major version is read from major.minor', () => {
  assert.equal(protocolMajor('1.0'), 1);
  assert.equal(protocolMajor('12.3'), 12);
  assert.ok(Number.isNaN(protocolMajor('x')));
});
