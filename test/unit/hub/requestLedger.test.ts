// The hub's cap on method/route/status series per server: the rest fold into route `other`, nothing is lost.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_REQUEST_SERIES, RequestLedger } from '../../../extension/hub/requestLedger';
import type { RequestGroup } from '../../../extension/protocol/agent';

const group = (method: string, route: string, status: number, count: number, exceptions = 0): RequestGroup => ({
  method, route, status, count, exceptions, durationSum: count / 100, buckets: [count, 0], responseBytes: 10 * count,
});

test(`past ${MAX_REQUEST_SERIES} series, new routes fold into route="other" by method and status, totals preserved`, () => {
  const ledger = new RequestLedger([0.1]);
  const sent: RequestGroup[] = [];
  const add = (g: RequestGroup) => {
    sent.push(g);
    ledger.add(g);
  };
  // 1500 distinct routes, GET 200 with 1 or 2 requests each: the first 1000 keep their names.
  for (let i = 0; i < 1500; i++) add(group('GET', `/r/${i}`, 200, 1 + (i % 2)));
  // A route seen before the cap keeps counting under its own name.
  add(group('GET', '/r/7', 200, 5));
  // Past the cap: other statuses and methods, verbs no client sends (a misbehaving agent), raising requests.
  for (let i = 0; i < 300; i++) add(group('POST', `/p/${i}`, 500, 1, 1));
  for (let i = 0; i < 300; i++) add(group(`VERB${i}`, `/v/${i}`, 404, 3));
  for (let i = 0; i < 50; i++) add(group('GET', `/r/${2000 + i}`, 200, 1, 1));

  const totals = ledger.totals();
  const byKey = new Map(totals.map((t) => [`${t.method} ${t.route} ${t.status}`, t]));
  assert.equal(totals.length, MAX_REQUEST_SERIES + 3, 'the cap, plus one `other` per method and status');
  assert.deepEqual(totals.slice(MAX_REQUEST_SERIES).map((t) => [t.method, t.route, t.status, t.count, t.exceptions]),
    [['GET', 'other', 200, 750 + 50, 50], ['POST', 'other', 500, 300, 300], ['OTHER', 'other', 404, 900, 0]]);
  assert.equal(byKey.get('GET /r/7 200')?.count, 2 + 5);
  assert.equal(byKey.get('GET /r/999 200')?.count, 2);
  assert.equal(byKey.get('GET /r/1000 200'), undefined);

  const sum = (of: (g: { count: number; exceptions?: number; durationSum: number; responseBytes: number; buckets: number[] }) => number) =>
    [sent.reduce((a, g) => a + of(g), 0), totals.reduce((a, t) => a + of(t), 0)];
  const [countIn, countOut] = sum((g) => g.count);
  assert.equal(countOut, countIn);
  assert.deepEqual(sum((g) => g.exceptions ?? 0), [350, 350]);
  assert.deepEqual(sum((g) => g.responseBytes), [countIn * 10, countIn * 10]);
  assert.deepEqual(sum((g) => g.buckets[0]), [countIn, countIn]);
  const [durationIn, durationOut] = sum((g) => g.durationSum);
  assert.ok(Math.abs(durationIn - durationOut) < 1e-9);
});
