// How exits and latencies read on the dashboard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatExit, formatLatency } from '../../../webview/format';

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
