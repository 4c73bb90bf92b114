// A request cut by Gunicorn's timeout, on a real Gunicorn and a Flask app: the hub counts it once, under its
// route, as aborted, and its p50/p95/p99 are its real elapsed time (from the client's send to the
// worker_exit event, within the histogram's 2.2 %), not a classic bucket's interpolation (7.5 s for a
// request killed at 5.3 s) or its top bound (10 s). /metrics and GET /routes say the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LifecycleEvent } from '../../extension/protocol/agent';
import type { RouteWindowView } from '../../extension/hub/routeStats';
import { httpGet } from './proc';
import { startRealServer, type RealServer } from './realServer';
import { series } from './promText';

const NORMAL = 5;
const TIMEOUT = 2;
const ROUTE = '/sleep/<float:seconds>';

describe('an aborted request on a real Gunicorn', () => {
  let server: RealServer;
  before(async () => {
    server = await startRealServer(['-w', '1', '--timeout', String(TIMEOUT), 'flask_app:app']);
    await server.waitFor((s) => s.workers.length === 1, 'one worker');
  });
  after(() => server?.stop());

  test(`${NORMAL} requests and one the timeout kills: ${NORMAL + 1} counted, the killed one with its real duration`, async () => {
    for (let i = 0; i < NORMAL; i++) assert.equal(await httpGet(server.appPort, '/'), 200);
    const exits: LifecycleEvent[] = [];
    server.hub.store.on('event', (_id, e) => { if (e.type === 'worker_exit') exits.push(e); });
    const sent = Date.now() / 1000;
    await assert.rejects(httpGet(server.appPort, '/sleep/60.0'), 'the client gets no response');
    const s = await server.waitFor((v) => v.requestsTotal === NORMAL + 1 && exits.length === 1, `${NORMAL + 1} requests and the exit`);
    const exit = exits[0] as Extract<LifecycleEvent, { type: 'worker_exit' }>;
    assert.equal(exit.reason, 'timeout');
    const lived = exit.at - sent;
    // The arbiter looks about once a second: the worker died between the timeout and a check later (a loaded
    // machine adds to it; what matters is that the duration counted is this one).
    assert.ok(lived >= TIMEOUT && lived <= TIMEOUT + 3, `died ${lived} s after the send`);

    const row = s.routes!.find((r) => r.route === ROUTE)!;
    assert.deepEqual({ count: row.count, aborted: row.aborted, errors: row.errors }, { count: 1, aborted: 1, errors: 1 });
    const home = s.routes!.find((r) => r.route === '/')!;
    assert.deepEqual({ count: home.count, aborted: home.aborted, errors: home.errors }, { count: NORMAL, aborted: 0, errors: 0 });
    // Within the histogram's 2.2 % and the two clocks' skew (the client's send, the exit event's time).
    const near = (got: number | null) => got !== null && Math.abs(got - lived) <= lived * 0.022 + 0.3;
    for (const q of ['p50', 'p95', 'p99'] as const) assert.ok(near(row[q]), `${q} ${row[q]} vs ${lived}`);

    const res = await fetch(`${server.hub.url}/api/servers/${s.id}/routes?window=600`, { headers: { Authorization: `Bearer ${server.hub.token}` } });
    const window = ((await res.json()) as { routes: RouteWindowView[] }).routes.find((r) => r.route === ROUTE)!;
    assert.deepEqual([window.count, window.aborted, window.p50, window.p99], [1, 1, row.p50, row.p99]);
    assert.ok(near(window.min) && window.min === window.max, `min ${window.min} max ${window.max}`);

    const text = await (await fetch(`${server.hub.url}/metrics`)).text();
    assert.deepEqual(series(text, 'gunicorn_requests_aborted_total').map(([l, v]) => [l.method, l.route, v]), [['GET', ROUTE, 1]]);
    assert.deepEqual(series(text, 'gunicorn_requests_total').map(([l, v]) => `${l.route} ${l.status} ${v}`).sort(),
      [`/ 200 ${NORMAL}`, `${ROUTE} 0 1`]);
    const [[, seconds]] = series(text, 'gunicorn_worker_request_duration_seconds_sum').filter(([l]) => l.route === ROUTE);
    assert.ok(near(seconds), `duration sum ${seconds}`);
  });
});
