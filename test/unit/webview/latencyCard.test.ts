// The "Latency p95" card after an idle interval: the newest interval with requests, not "no requests".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryPoint } from '../../../extension/protocol/ui';
import { latencyCard } from '../../../webview/latencyCard';

const point = (at: number, latency: HistoryPoint['latency']): HistoryPoint => ({ at, rps: latency ? 1 : 0, workers: [], latency });

test('the newest interval with requests, and how long ago it was once the server is idle', () => {
  const busy = point(100, { p50: 0.004, p95: 0.012, p99: 0.02 });
  assert.deepEqual(latencyCard([point(99, null), busy]), { value: '12 ms', note: 'p50 4.0 ms · p99 20 ms' });
  // 91 requests, then idle samples: the figure stays, said to be from 5 s ago (the old card: "— no requests").
  assert.deepEqual(latencyCard([busy, point(101, null), point(105, null)]), { value: '12 ms', note: 'p50 4.0 ms · p99 20 ms · last requests 5 s ago' });
});

test('nothing yet, or nothing reported', () => {
  assert.deepEqual(latencyCard([]), { value: '—', note: 'no samples yet' });
  assert.deepEqual(latencyCard([point(1, null), point(2, null)]), { value: '—', note: 'no requests yet' });
  assert.deepEqual(latencyCard([point(1, undefined)]), { value: '—', note: 'not reported' });
});
