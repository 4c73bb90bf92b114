// OpenTelemetry export through the real OTLP exporters to a real HTTP receiver that decodes what
// arrives; a scripted agent feeds the hub.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startHub, type Hub } from '../../extension/hub/hub';
import { readOtelConfig } from '../../extension/hub/otel/config';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'Content-Type': req.headers['content-type'] ?? 'application/json' });
      res.end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received })));
}

const TOKEN = 'otel-test-token-0123456789';
type Attr = { key: string; value: Record<string, unknown> };
const attrs = (list: Attr[] = []) => Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));

async function feedAgent(hub: Hub): Promise<WebSocket> {
  const ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const send = (frame: unknown) => ws.send(JSON.stringify(frame));
  const now = Date.now() / 1000;
  send({ type: 'hello', protocol: '1.0', agent: { version: '0', python: '3.11', gunicorn: '20.1.0' },
    server: { masterPid: 900, host: 'box', app: 'shop:app', bind: ['127.0.0.1:9900'], workerClass: 'sync',
      serviceName: 'shop', startedAt: now - 10, targetWorkers: 1, interval: 1, durationBuckets: [0.1, 1] } });
  send({ type: 'event', event: { type: 'worker_spawn', pid: 901, at: now - 9 } });
  send({ type: 'sample', seq: 0, at: now - 1, master: { pid: 900, cpuPercent: 0, rssBytes: 1 }, targetWorkers: 1,
    workers: [{ pid: 901, age: 1, bootedAt: now - 9, cpuPercent: 12.5, rssBytes: 5_000_000, requests: 7 }],
    requests: [
      { method: 'GET', route: '/items/{id}', status: 200, count: 5, durationSum: 0.3, buckets: [4, 1, 0], responseBytes: 50 },
      { method: 'POST', route: '/pay', status: 500, count: 2, durationSum: 3, buckets: [0, 0, 2], responseBytes: 0, exceptions: 2 },
    ],
    examples: [{ pid: 901, method: 'POST', route: '/pay', status: 500, duration: 1.5, at: now - 1.2, exception: 'ValueError: card declined' }] });
  send({ type: 'event', event: { type: 'worker_exit', pid: 901, reason: 'timeout', exitCode: 1, at: now } });
  return ws;
}

describe('OpenTelemetry export', () => {
  test('configuration: exporters, protocol, endpoints and notes', () => {
    const c = readOtelConfig({ OTEL_METRICS_EXPORTER: 'otlp,console,bogus', OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    assert.deepEqual(c.metrics, ['otlp', 'console']);
    assert.deepEqual(c.traces, ['jaeger']);
    assert.equal(c.metricsUrl, 'http://collector:4318/v1/metrics');
    assert.equal(c.tracesUrl, 'http://collector:4318/v1/traces');
    assert.equal(c.notes.length, 2);
    assert.match(c.notes[0], /OTEL_METRICS_EXPORTER=bogus is not supported/);
    assert.match(c.notes[1], /jaeger: sending OTLP\/HTTP to Jaeger at http:\/\/localhost:4318\/v1\/traces/);
    assert.equal(readOtelConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m/x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }).metricsUrl, 'http://m/x');
    assert.deepEqual(readOtelConfig({}).metrics, []);
  });

  describe('OTLP over HTTP (JSON) to a real receiver', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let hub: Hub;
    let agent: WebSocket;
    before(async () => {
      receiver = await startReceiver();
      hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: {
        OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300' } });
      agent = await feedAgent(hub);
      await new Promise((r) => setTimeout(r, 1000));
      agent.close();
      await hub.close(); // flushes what is pending
    });
    after(() => receiver.server.close());

    test('metrics: the seed names, exact counts and histogram buckets, per-worker gauges', () => {
      const bodies = receiver.received.filter((r) => r.path === '/v1/metrics');
      assert.ok(bodies.length > 0, 'metrics arrived');
      assert.match(bodies[0].contentType, /application\/json/);
      const last = JSON.parse(bodies.filter((b) => b.body.includes('gunicorn.requests')).pop()!.body.toString());
      const rm = last.resourceMetrics[0];
      assert.equal(attrs(rm.resource.attributes)['service.name'], 'shop');
      const metrics = Object.fromEntries(rm.scopeMetrics[0].metrics.map((m: { name: string }) => [m.name, m]));
      const requests = metrics['gunicorn.requests'].sum.dataPoints.map((p: { attributes: Attr[]; asInt: string }) => [attrs(p.attributes), Number(p.asInt)]);
      assert.deepEqual(requests, [
        [{ 'http.method': 'GET', 'http.target': '/items/{id}', 'http.status_code': 200 }, 5],
        [{ 'http.method': 'POST', 'http.target': '/pay', 'http.status_code': 500 }, 2],
      ]);
      const hist = metrics['gunicorn.request.duration'].histogram.dataPoints[0];
      assert.deepEqual(hist.explicitBounds, [0.1, 1]);
      assert.deepEqual(hist.bucketCounts.map(Number), [4, 1, 0]);
      assert.equal(Number(hist.count), 5);
      assert.equal(hist.sum, 0.3);
      const cpu = metrics['gunicorn.worker.cpu.percent'].gauge.dataPoints[0];
      assert.deepEqual(attrs(cpu.attributes), { 'worker.pid': 901, 'worker.id': 1 });
      assert.equal(cpu.asDouble, 12.5);
      assert.equal(metrics['gunicorn.worker.memory.rss'].gauge.dataPoints[0].asDouble, 5_000_000);
    });

    test('spans: the worker from spawn to its timeout exit, and the failed request example', () => {
      const spans = receiver.received.filter((r) => r.path === '/v1/traces')
        .flatMap((r) => JSON.parse(r.body.toString()).resourceSpans.flatMap((rs: { scopeSpans: { spans: unknown[] }[] }) => rs.scopeSpans.flatMap((s) => s.spans))) as
        Array<{ name: string; attributes: Attr[]; status: { code?: number }; events: { name: string; attributes: Attr[] }[] }>;
      const worker = spans.find((s) => s.name === 'gunicorn.worker');
      assert.ok(worker, `spans: ${spans.map((s) => s.name)}`);
      assert.equal(attrs(worker.attributes)['worker.pid'], 901);
      assert.deepEqual(worker.events.map((e) => e.name), ['start', 'shutdown']);
      assert.equal(attrs(worker.events[1].attributes)['gunicorn.exit.reason'], 'timeout');
      assert.equal(worker.status.code, 2); // ERROR
      const request = spans.find((s) => s.name === 'gunicorn.request');
      assert.ok(request);
      assert.deepEqual(attrs(request.attributes), { 'http.method': 'POST', 'http.target': '/pay', 'http.status_code': 500, 'worker.pid': 901 });
      assert.equal(request.status.code, 2);
      assert.equal(spans.filter((s) => s.name === 'gunicorn.request').length, 1, 'only the sampled example, never every request');
    });
  });

  test('OTLP over HTTP (protobuf, the default protocol) reaches the receiver', async () => {
    const receiver = await startReceiver();
    const hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: {
      OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300' } });
    const agent = await feedAgent(hub);
    await new Promise((r) => setTimeout(r, 800));
    agent.close();
    await hub.close();
    receiver.server.close();
    const body = receiver.received.find((r) => r.path === '/v1/metrics' && r.body.includes('gunicorn.requests'));
    assert.ok(body, 'a protobuf export with our metric names');
    assert.equal(body.contentType, 'application/x-protobuf');
    assert.ok(body.body.includes('gunicorn.worker.memory.rss') && body.body.includes('shop'));
  });
});
