// History points for the tests of the history ring, the store and the dashboard feed.
import assert from 'node:assert/strict';
import type { HistoryPoint } from '../../../extension/protocol/ui';

export type Worker = HistoryPoint['workers'][number];
export const worker = (pid: number, cpuPercent: number | null, rssBytes: number | null, pssBytes: number | null, rps: number): Worker =>
  ({ pid, cpuPercent, rssBytes, pssBytes, rps });

/** A point as historyPoint() builds it (same key order), with the optional fields chosen by `i`. */
export function point(i: number, workers: Worker[]): HistoryPoint {
  const p: HistoryPoint = { at: 1_763_776_800.25 + i + (i % 7) / 1000, rps: (i * 10) / 1.003, workers };
  if (i % 3 === 0) p.latency = { p50: 0.0123 * i, p95: 0.25, p99: 2.5 };
  else if (i % 3 === 1) p.latency = null;
  if (i % 4 !== 3) p.status = { '2xx': i / 1.003, '3xx': 0, '4xx': 1 / 3, '5xx': i % 5 };
  if (i % 5 !== 4) p.busy = i % 9;
  return p;
}

/** Asserts the points read back are the points pushed: same values (Object.is), same keys, same order. */
export function assertSame(actual: HistoryPoint[], expected: HistoryPoint[]): void {
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}
