// /metrics on a real Gunicorn: exact counts, failures exactly as sent, bounded labels, a killed worker's
// gauges gone within an interval, and request counters that never go backwards when workers die.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LifecycleEvent } from '../../extension/protocol/agent';
import { httpGet } from './proc';
import { startRealServer, type RealServer } from './realServer';
import { series, sum } from './promText';

const N = 40;
/** The agent's test app (test/apps/app.py): `/raise` raises, `/error` answers 500 without
 * raising, `/stream-raise` raises after its 200 headers went out, `/missing` is a 404 (not a failure). */
const AGENT_APPS = join(__dirname, '..', 'apps');
const FAILING = { '/raise': [3, 500], '/error': [2, 500], '/stream-raise': [2, 200] } as const;
const MISSING = 2;
const EXTRA = Object.values(FAILING).reduce((a, [n]) => a + n, 0) + MISSING;
/** The agent's sample interval, seconds (its default unless the environment sets one). */
const INTERVAL = Number(process.env.GUNICORN_LIVE_INTERVAL) || 1;

describe('Prometheus /metrics on a real Gunicorn', () => {
  let server: RealServer;
  const scrape = async () => (await fetch(`${server.hub.url}/metrics`)).text();
  before(async () => {
    // A later --chdir wins: the agent's test app, which has routes that fail each way.
    server = await startRealServer(['--chdir', AGENT_APPS, '-w', '2', '--timeout', '30', 'app:app']);
    await server.waitFor((s) => s.workers.length === 2 && s.workers.every((w) => w.rssBytes !== null), 'two workers');
  });
  after(() => server?.stop());

  test(`${N} requests → exact per-route, per-worker and histogram counts`, async () => {
    for (let i = 0; i < N; i++) assert.equal(await httpGet(server.appPort, i % 2 ? `/items/${i}` : '/'), 200);
    await server.waitFor((s) => s.requestsTotal === N, `${N} requests`);
    const text = await scrape();
    assert.equal(sum(series(text, 'gunicorn_worker_requests_total')), N);
    const byRoute = Object.fromEntries(series(text, 'gunicorn_requests_total').map(([l, v]) => [`${l.method} ${l.route} ${l.status}`, v]));
    assert.deepEqual(byRoute, { 'GET / 200': N / 2, 'GET /items/{id} 200': N / 2 });
    const count = series(text, 'gunicorn_worker_request_duration_seconds_count');
    assert.equal(sum(count), N);
    const inf = series(text, 'gunicorn_worker_request_duration_seconds_bucket').filter(([l]) => l.le === '+Inf');
    assert.equal(sum(inf), N);
    assert.doesNotMatch(text, /timestamp=/, 'no timestamp labels');
    const [s] = server.hub.store.servers();
    const workers = series(text, 'gunicorn_workers');
    assert.equal(workers.find(([l]) => l.state === 'target')?.[1], 2);
    assert.equal(workers.filter(([l]) => l.state !== 'target').reduce((a, [, v]) => a + v, 0), s.workers.length);
  });

  test('failed requests: exactly the 5xx answers and the requests whose app code raised, by route', async () => {
    for (const [path, [n, status]] of Object.entries(FAILING)) {
      for (let i = 0; i < n; i++) {
        // A stream that raised after its headers is cut short: the client may see a broken response.
        const got = await fetch(`http://127.0.0.1:${server.appPort}${path}`, { signal: AbortSignal.timeout(10000) })
          .then(async (r) => (await r.text(), r.status)).catch(() => null);
        assert.ok(got === status || (path === '/stream-raise' && got === null), `${path}: ${got}`);
      }
    }
    for (let i = 0; i < MISSING; i++) assert.equal(await httpGet(server.appPort, '/missing'), 404);
    await server.waitFor((s) => s.requestsTotal === N + EXTRA, `${N + EXTRA} requests`);
    const text = await scrape();
    const failed = series(text, 'gunicorn_worker_failed_requests_total');
    assert.deepEqual(Object.fromEntries(failed.map(([l, v]) => [`${l.method} ${l.route}`, v])),
      Object.fromEntries(Object.entries(FAILING).map(([path, [n]]) => [`GET ${path}`, n])));
    const byRoute = Object.fromEntries(series(text, 'gunicorn_requests_total').map(([l, v]) => [`${l.route} ${l.status}`, v]));
    assert.deepEqual(byRoute, { '/ 200': N / 2, '/items/{id} 200': N / 2, '/raise 500': 3, '/error 500': 2,
      '/stream-raise 200': 2, '/missing 404': MISSING });
  });

  test('kill -9 of a worker: its gauges vanish within an interval, totals never go backwards, the restart is counted by cause', async () => {
    const before = await scrape();
    const totalBefore = sum(series(before, 'gunicorn_worker_requests_total'));
    const [s] = server.hub.store.servers();
    const victim = s.workers[0].pid;
    const gauges = ['gunicorn_worker_memory_bytes', 'gunicorn_worker_cpu_percent', 'gunicorn_worker_uptime_seconds', 'gunicorn_worker_state'];
    assert.ok(series(before, 'gunicorn_worker_memory_bytes').some(([l]) => l.pid === String(victim)));
    // The clock starts when the hub hears of the exit; the next sample (one interval) must drop the worker.
    const observed = new Promise<number>((resolve) => {
      const onEvent = (id: string, e: LifecycleEvent) => {
        if (id !== s.id || e.type !== 'worker_exit' || e.pid !== victim) return;
        server.hub.store.off('event', onEvent);
        resolve(performance.now());
      };
      server.hub.store.on('event', onEvent);
    });
    process.kill(victim, 'SIGKILL');
    const heardAt = await Promise.race([observed, new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no worker_exit for ${victim}`)), 15000))]);
    let after: string;
    for (;;) {
      after = await scrape();
      if (!gauges.some((name) => series(after, name).some(([l]) => l.pid === String(victim)))) break;
      assert.ok(performance.now() - heardAt <= 1.5 * INTERVAL * 1000, `pid ${victim}'s gauges still there ${1.5 * INTERVAL} s after its exit`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const vanishedAfter = performance.now() - heardAt;
    assert.ok(vanishedAfter <= 1.5 * INTERVAL * 1000, `gauges vanished ${vanishedAfter} ms after the exit`);
    await server.waitFor((v) => !v.workers.some((w) => w.pid === victim) && v.workers.length === 2, 'the replacement worker');
    after = await scrape();
    assert.ok(sum(series(after, 'gunicorn_worker_requests_total')) >= totalBefore, 'requests_total went backwards');
    assert.equal(sum(series(after, 'gunicorn_requests_total')), N + EXTRA);
    await server.waitFor(() => (server.hub.store.counters(s.id)?.exits.size ?? 0) > 0, 'the exit event');
    const scraped = await scrape();
    const restarts = series(scraped, 'gunicorn_worker_restarts_total');
    assert.deepEqual(restarts.map(([l, v]) => [l.reason, v]), [['signal', 1]]);
    // A kill -9 is not the OOM killer: the kernel counted no OOM kill in the workers' cgroup.
    assert.deepEqual(series(scraped, 'gunicorn_worker_oom_kills_total').map(([, v]) => v), [0]);
  });

  test('signals the master received are counted by name', async () => {
    const [s] = server.hub.store.servers();
    assert.deepEqual(await server.hub.sendSignal(s.id, 'TTIN'), { ok: true });
    await server.waitFor((v) => v.workers.length === 3, 'a third worker');
    const signals = series(await scrape(), 'gunicorn_master_signals_total');
    assert.equal(signals.find(([l]) => l.signal === 'SIGTTIN')?.[1], 1);
  });
});

describe('/metrics while max_requests recycles workers faster than the agent samples', () => {
  const SENT = 300;
  let server: RealServer;
  before(async () => {
    server = await startRealServer(['-w', '2', '--max-requests', '20', '--timeout', '30', 'work:app']);
    await server.waitFor((s) => s.workers.length === 2, 'two workers');
  });
  after(() => server?.stop());

  test(`${SENT} requests → the workers' counters, live and exited, add up to ${SENT}`, async () => {
    // Back to back: a worker serves its 20 and is replaced well within one sample interval, so most are
    // never seen with their final count.
    for (let i = 0; i < SENT; i++) assert.equal(await httpGet(server.appPort, '/'), 200);
    await server.waitFor((s) => s.requestsTotal === SENT, `${SENT} requests`);
    const text = await (await fetch(`${server.hub.url}/metrics`)).text();
    assert.equal(sum(series(text, 'gunicorn_worker_requests_total')), SENT);
    const recycled = series(text, 'gunicorn_worker_restarts_total').find(([l]) => l.reason === 'max_requests')?.[1] ?? 0;
    assert.ok(recycled >= SENT / 20 - 2, `${recycled} workers recycled by max_requests`);
  });
});
