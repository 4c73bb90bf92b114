import assert from 'node:assert/strict';
import test from 'node:test';
import { HistoryRing } from '../../../extension/hub/historyRing';
import { connectMessages } from '../../../extension/hub/uiFeed';
import { SNAPSHOT_SECONDS } from '../../../extension/protocol/constants';
import type { HistoryPoint, HubToUi, ServerView } from '../../../extension/protocol/ui';
import { assertSame, point, worker } from './historyPoints';

test('a dashboard gets the last 5 minutes at once, then the older history newest first, each point once', () => {
  // Full: every live point pushes the oldest out.
  const ring = new HistoryRing(1000);
  const all = Array.from({ length: 1000 }, (_, i) => point(i, [worker(7, 1, 4096, 4096, 1)]));
  for (const p of all) ring.push(p);
  const messages = connectMessages([{ id: 's' } as ServerView], () => ring);
  const first = messages.next().value as Extract<HubToUi, { type: 'snapshot' }>;
  assert.equal(first.type, 'snapshot');
  const newest = all[999].at;
  assertSame(first.history.s, all.filter((p) => p.at > newest - SNAPSHOT_SECONDS));
  // Live samples arrive while the slices go out, and the hour's oldest points leave the ring meanwhile.
  const sliced: HistoryPoint[][] = [];
  for (const message of messages) {
    assert.equal(message.type, 'history');
    sliced.push((message as Extract<HubToUi, { type: 'history' }>).points);
    ring.push(point(1000 + sliced.length, [worker(7, 1, 4096, 4096, 1)]));
  }
  assert.ok(sliced.every((s) => s.length > 0 && s.length <= 150), 'slices of at most 150 points');
  const cut = 1000 - first.history.s.length;
  const older = sliced.reverse().flat();
  // Only the points pushed out before their slice's turn are missing, and only from the oldest end.
  assert.ok(older.length >= cut - sliced.length, `${older.length} of ${cut} older points sent`);
  assertSame(older, all.slice(cut - older.length, cut));
});
