// Exact latency in the hub: an agent speaking protocol 1.1 sends exponential histograms of known
// durations; /api/servers/:id/routes, the routes table, the charts' points, /metrics' classic buckets and
// the OTLP ExponentialHistogram all read the same numbers. An agent on 1.0 (classic buckets) still works.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { parseDurationBounds } from '../../../extension/hub/durationBounds';
import { ExpHistogram } from '../../../extension/hub/expHistogram';
import { startHub, type Hub } from '../../../extension/hub/hub';
import { RouteStats } from '../../../extension/hub/routeStats';
import type { RequestGroup } from '../../../extension/protocol/agent';
import { series } from '../../integration/promText';
import { until } from '../../until';

const TOKEN = 'latency-test-token-0123456789';

/** Durations like a fast route's (0.2–0.3 ms), with a slow tail of known values. */
const FAST = [...Array.from({ length: 400 }, (_, i) => 0.0002 + (i % 100) * 0.000001), 0.0004, 0.03, 0.05, 0.07];
/** A known two-valued mix: 90 % at 1 ms, 10 % at 30 ms. */
const MIX = [...Array(90).fill(0.001), ...Array(10).fill(0.03)];

function group(method: string, route: string, status: number, durations: number[], exceptions = 0): RequestGroup {
  const h = new ExpHistogram();
  for (const d of durations) h.record(d);
  return {
    method, route, status, count: durations.length, durationSum: durations.reduce((a, b) => a + b, 0),
    buckets: [durations.length], responseBytes: 0, exceptions,
    durations: h.toWire(), durationMin: Math.min(...durations), durationMax: Math.max(...durations),
  };
}

/** The exact q-quantile (nearest rank) of a list. */
const exact = (q: number, values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1];
const near = (got: number | null, truth: number, tolerance = 0.025) =>
  assert.ok(got !== null && Math.abs(got - truth) / truth <= tolerance, `${got} vs ${truth}`);

async function agent(hub: Hub, protocol: string, masterPid: number, requests: RequestGroup[][]): Promise<WebSocket> {
  const ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const now = Date.now() / 1000;
  ws.send(JSON.stringify({ type: 'hello', protocol, agent: { version: '0', python: '3.11', gunicorn: '26.1.0' },
    server: { masterPid, host: 'box', app: 'app:app', bind: [`127.0.0.1:${masterPid}`], workerClass: 'sync', serviceName: `svc${masterPid}`,
      startedAt: now - 5, targetWorkers: 1, interval: 1, durationBuckets: [0.005, 0.1],
      ...(protocol === '1.1' ? { durationScale: 4 } : {}) } }));
  requests.forEach((groups, seq) => ws.send(JSON.stringify({ type: 'sample', seq, at: now + seq,
    master: { pid: masterPid, cpuPercent: 0, rssBytes: 1 }, targetWorkers: 1,
    workers: [{ pid: masterPid + 1, age: 1, bootedAt: now - 4, cpuPercent: 1, rssBytes: 1, requests: 0 }], requests: groups })));
  return ws;
}

function startReceiver(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/v1/metrics') bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bodies })));
}

describe('exact latency through the hub', () => {
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let id = '';
  let ws: WebSocket;
  const api = (path: string) => fetch(`${hub.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });

  before(async () => {
    receiver = await startReceiver();
    hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: { OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '200' } });
    // Three intervals: the fast route split over them, the mix in one, a failing route in another.
    ws = await agent(hub, '1.1', 700, [
      [group('GET', '/fast', 200, FAST.slice(0, 150))],
      [group('GET', '/fast', 200, FAST.slice(150, 300)), group('GET', '/mix', 200, MIX)],
      [group('GET', '/fast', 200, FAST.slice(300)), group('POST', '/pay', 500, [0.002, 0.004], 2)],
    ]);
    await until(() => hub.store.servers()[0]?.routes?.length === 3, 'three routes');
    id = hub.store.servers()[0].id;
  });
  after(async () => {
    ws.close();
    await hub.close();
    receiver.server.close();
  });

  test('GET /routes: counts, p50/p95/p99 within 2.5 % of the exact quantiles, exact min and max', async () => {
    const res = await api(`/api/servers/${id}/routes?window=60`);
    assert.equal(res.status, 200);
    const body = await res.json() as { serverId: string; window: number; routes: Array<Record<string, number | string | null>> };
    assert.equal(body.serverId, id);
    assert.equal(body.window, 60);
    assert.deepEqual(body.routes.map((r) => `${r.method} ${r.route} ${r.count} ${r.errors}`), ['GET /fast 404 0', 'GET /mix 100 0', 'POST /pay 2 2']);
    const fast = body.routes[0];
    for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) near(fast[key] as number, exact(q, FAST));
    assert.equal(fast.min, Math.min(...FAST));
    assert.equal(fast.max, 0.07);
    assert.equal(fast.rate, 404 / 60);
    const mix = body.routes[1];
    near(mix.p50 as number, 0.001);
    near(mix.p95 as number, 0.03);
    near(mix.p99 as number, 0.03);
  });

  test('the routes table and the chart use the same estimate', () => {
    const server = hub.store.servers()[0];
    const fast = server.routes!.find((r) => r.route === '/fast')!;
    near(fast.p50, exact(0.5, FAST));
    near(fast.p99, exact(0.99, FAST));
    const points = hub.store.history(id);
    const second = points[1].latency!;
    // The second interval: /fast's middle third and the mix, merged exactly.
    const both = [...FAST.slice(150, 300), ...MIX];
    near(second.p50, exact(0.5, both));
    near(second.p95, exact(0.95, both));
  });

  test('400 for a bad window, 404 for an unknown server', async () => {
    for (const w of ['0', '-5', 'abc', '1.5', '3601']) {
      const res = await api(`/api/servers/${id}/routes?window=${w}`);
      assert.equal(res.status, 400, w);
      assert.match((await res.json() as { error: string }).error, /window must be a whole number of seconds from 1 to 3600/);
    }
    assert.equal((await api('/api/servers/nope/routes?window=60')).status, 404);
    assert.equal((await api(`/api/servers/${id}/routes`)).status, 200, 'the window defaults to a minute');
  });

  test('/metrics: classic buckets from 0.25 ms up, derived from the exponential histograms', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const buckets = series(text, 'gunicorn_worker_request_duration_seconds_bucket').filter(([l]) => l.route === '/fast');
    const le = Object.fromEntries(buckets.map(([l, v]) => [l.le, v]));
    assert.deepEqual(buckets.slice(0, 3).map(([l]) => l.le), ['0.00025', '0.0005', '0.001']);
    // A bound resolves to the nearest exponential bucket edge: within 2.2 % of it either way.
    const below = (bound: number) => FAST.filter((d) => d <= bound).length;
    assert.ok(le['0.00025'] >= below(0.00025 / 1.022) && le['0.00025'] <= below(0.00025 * 1.022), `${le['0.00025']}`);
    assert.equal(le['0.0005'], 401);
    assert.equal(le['0.05'], 403);
    assert.equal(le['+Inf'], 404);
  });

  test('OTLP: gunicorn.request.duration is an ExponentialHistogram, bucket for bucket what the agent sent', async () => {
    await until(() => receiver.bodies.some((b) => b.includes('exponentialHistogram')), 'an exponential histogram at the receiver');
    const last = JSON.parse(receiver.bodies.filter((b) => b.includes('exponentialHistogram')).pop()!);
    const metric = last.resourceMetrics[0].scopeMetrics[0].metrics.find((m: { name: string }) => m.name === 'gunicorn.request.duration');
    const point = metric.exponentialHistogram.dataPoints.find((p: { attributes: Array<{ key: string; value: { stringValue?: string } }> }) =>
      p.attributes.some((a) => a.value.stringValue === '/fast'));
    const truth = new ExpHistogram();
    for (const d of FAST) truth.record(d);
    const wire = truth.toWire();
    assert.equal(point.scale, 4);
    assert.equal(Number(point.count), 404);
    assert.equal(point.positive.offset, wire.offset);
    assert.deepEqual(point.positive.bucketCounts.map(Number), wire.counts);
    assert.equal(point.min, Math.min(...FAST));
    assert.equal(point.max, 0.07);
  });

  test('an agent on protocol 1.0 (classic buckets only) still gets quantiles and its own /metrics buckets', async () => {
    const old: RequestGroup = { method: 'GET', route: '/old', status: 200, count: 10, durationSum: 0.02, buckets: [10, 0, 0], responseBytes: 0 };
    const ws = await agent(hub, '1.0', 800, [[old]]);
    await until(() => hub.store.servers().some((s) => s.masterPid === 800 && s.routes?.length === 1), 'the old agent\'s route');
    const server = hub.store.servers().find((s) => s.masterPid === 800)!;
    assert.equal(server.routes![0].p50, 0.0025); // linear inside the agent's first bucket, as before
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const les = series(text, 'gunicorn_worker_request_duration_seconds_bucket').filter(([l]) => l.route === '/old').map(([l]) => l.le);
    assert.deepEqual(les, ['0.005', '0.1', '+Inf']);
    ws.close();
  });
});

describe('route windows', () => {
  test('a window merges exactly the slots it covers, and no older ones', () => {
    const stats = new RouteStats([1]);
    const t0 = 1_000_000;
    stats.add([group('GET', '/a', 200, [0.5, 0.5])], 1, 100, t0);       // 100 s before the last
    stats.add([group('GET', '/a', 200, [0.001, 0.002])], 1, 100, t0 + 90);
    stats.add([group('GET', '/a', 200, [0.003])], 1, 100, t0 + 100);
    const min = 0.001;
    const last30 = stats.window(30, t0 + 100.5);
    assert.deepEqual(last30.map((r) => [r.count, r.min, r.max]), [[3, min, 0.003]]);
    const last200 = stats.window(200, t0 + 100.5);
    assert.deepEqual(last200.map((r) => [r.count, r.min, r.max]), [[5, min, 0.5]]);
    // An hour: ten-second slots, still exact in counts and range.
    const hour = stats.window(3600, t0 + 100.5);
    assert.deepEqual(hour.map((r) => [r.count, r.min, r.max]), [[5, min, 0.5]]);
    assert.deepEqual(stats.window(5, t0 + 500), []);
  });
});

test('GUNICORN_LIVE_BUCKETS: ascending positive seconds, or one line saying what is wrong', () => {
  assert.deepEqual(parseDurationBounds('0.001, 0.01,0.1'), [0.001, 0.01, 0.1]);
  assert.throws(() => parseDurationBounds('0.1,0.01'), /must ascend: 0.01 follows 0.1/);
  assert.throws(() => parseDurationBounds('fast'), /positive numbers of seconds separated by commas, got 'fast'/);
  assert.throws(() => parseDurationBounds('0,1'), /got '0'/);
  assert.throws(() => parseDurationBounds(''), /positive numbers/);
});
