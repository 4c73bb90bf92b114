// /metrics on a real Gunicorn: exact counts, bounded labels, a killed worker's gauges gone within an
// interval, and request counters that never go backwards when workers die.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpGet } from './proc';
import { startRealServer, type RealServer } from './realServer';

const N = 40;


/** name{labels} value lines of one metric, as [labels, value]. */
function series(text: string, name: string): Array<[Record<string, string>, number]> {
  const out: Array<[Record<string, string>, number]> = [];
  // Label values may hold braces (route="/items/{id}"): match quoted strings whole.
  for (const m of text.matchAll(new RegExp(`^${name}\\{((?:[^"}]|"(?:[^"\\\\]|\\\\.)*")*)\\} (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    out.push([labels, Number(m[2])]);
  }
  return out;
}

const sum = (rows: Array<[Record<string, string>, number]>) => rows.reduce((a, [, v]) => a + v, 0);

describe('Prometheus /metrics on a real Gunicorn', () => {
  let server: RealServer;
  const scrape = async () => (await fetch(`${server.hub.url}/metrics`)).text();
  before(async () => {
    server = await startRealServer(['-w', '2', '--timeout', '30', 'hello:app']);
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

  test('kill -9 of a worker: its gauges vanish within an interval, totals never go backwards, the restart is counted by cause', async () => {
    const before = await scrape();
    const totalBefore = sum(series(before, 'gunicorn_worker_requests_total'));
    const [s] = server.hub.store.servers();
    const victim = s.workers[0].pid;
    assert.ok(series(before, 'gunicorn_worker_memory_bytes').some(([l]) => l.pid === String(victim)));
    process.kill(victim, 'SIGKILL');
    await server.waitFor((v) => !v.workers.some((w) => w.pid === victim) && v.workers.length === 2, 'the replacement worker');
    const after = await scrape();
    for (const name of ['gunicorn_worker_memory_bytes', 'gunicorn_worker_cpu_percent', 'gunicorn_worker_uptime_seconds', 'gunicorn_worker_state']) {
      assert.ok(!series(after, name).some(([l]) => l.pid === String(victim)), `${name} still has pid ${victim}`);
    }
    assert.ok(sum(series(after, 'gunicorn_worker_requests_total')) >= totalBefore, 'requests_total went backwards');
    assert.equal(sum(series(after, 'gunicorn_requests_total')), N);
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
