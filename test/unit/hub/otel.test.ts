// OpenTelemetry export through the real OTLP exporters to a real HTTP receiver that decodes what
// arrives; a scripted agent feeds the hub.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startHub, type Hub } from '../../../extension/hub/hub';
import { readOtelConfig } from '../../../extension/hub/otel/config';
import { metricExporter, spanExporter } from '../../../extension/hub/otel/exporters';
import { until } from '../../until';

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

/** Protobuf's wire format, just enough to walk an OTLP request: field number → its raw values. */
function fields(buf: Buffer): Map<number, Array<Buffer | bigint>> {
  const out = new Map<number, Array<Buffer | bigint>>();
  let pos = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++];
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
    }
  };
  const bytes = (n: number) => {
    if (pos + n > buf.length) throw new Error('truncated field');
    pos += n;
    return buf.subarray(pos - n, pos);
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const wire = tag & 7;
    const value = wire === 0 ? varint() : wire === 1 ? bytes(8) : wire === 2 ? bytes(Number(varint())) : wire === 5 ? bytes(4) : null;
    if (value === null) throw new Error(`wire type ${wire}`);
    out.set(tag >>> 3, [...(out.get(tag >>> 3) ?? []), value]);
  }
  return out;
}
const messages = (f: Map<number, Array<Buffer | bigint>>, n: number) => (f.get(n) ?? []).map((v) => fields(v as Buffer));
const text = (f: Map<number, Array<Buffer | bigint>>, n: number) => (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');

/** opentelemetry.proto KeyValue list → object (string, int, double and bool values). */
function protoAttrs(list: Array<Map<number, Array<Buffer | bigint>>>): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => {
    const v = messages(kv, 2)[0];
    const value = v.has(1) ? text(v, 1) : v.has(3) ? Number(v.get(3)![0]) : v.has(4) ? (v.get(4)![0] as Buffer).readDoubleLE() : v.get(2)![0] === 1n;
    return [text(kv, 1), value];
  }));
}

/** ExportTraceServiceRequest (protobuf) → its spans with their resource's service.name. */
function protoSpans(body: Buffer): Array<{ service: unknown; name?: string; attributes: Record<string, unknown>; events: Array<string | undefined> }> {
  return messages(fields(body), 1).flatMap((rs) => {
    const service = protoAttrs(messages(messages(rs, 1)[0] ?? new Map(), 1))['service.name'];
    return messages(rs, 2).flatMap((ss) => messages(ss, 2).map((span) => ({
      service, name: text(span, 5), attributes: protoAttrs(messages(span, 9)), events: messages(span, 11).map((e) => text(e, 2)),
    })));
  });
}

/** A server `serviceName` (master `masterPid`, worker masterPid + 1) that serves, then loses its worker to a timeout. */
async function feedAgent(hub: Hub, masterPid = 900, serviceName = 'shop'): Promise<WebSocket> {
  const ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const send = (frame: unknown) => ws.send(JSON.stringify(frame));
  const now = Date.now() / 1000;
  const worker = masterPid + 1;
  send({ type: 'hello', protocol: '1.0', agent: { version: '0', python: '3.11', gunicorn: '20.1.0' },
    server: { masterPid, host: 'box', app: `${serviceName}:app`, bind: [`127.0.0.1:${masterPid + 9000}`], workerClass: 'sync',
      serviceName, startedAt: now - 10, targetWorkers: 1, interval: 1, durationBuckets: [0.1, 1] } });
  send({ type: 'event', event: { type: 'worker_spawn', pid: worker, at: now - 9 } });
  send({ type: 'sample', seq: 0, at: now - 1, master: { pid: masterPid, cpuPercent: 0, rssBytes: 1 }, targetWorkers: 1,
    workers: [{ pid: worker, age: 1, bootedAt: now - 9, cpuPercent: 12.5, rssBytes: 5_000_000, requests: 7 }],
    requests: [
      { method: 'GET', route: '/items/{id}', status: 200, count: 5, durationSum: 0.3, buckets: [4, 1, 0], responseBytes: 50 },
      { method: 'POST', route: '/pay', status: 500, count: 2, durationSum: 3, buckets: [0, 0, 2], responseBytes: 0, exceptions: 2 },
    ],
    examples: [{ pid: worker, method: 'POST', route: '/pay', status: 500, duration: 1.5, at: now - 1.2, exception: 'ValueError: card declined' }] });
  send({ type: 'event', event: { type: 'worker_exit', pid: worker, reason: 'timeout', exitCode: 1, at: now } });
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

  test('protocol per signal: its own variable, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf', () => {
    const defaults = readOtelConfig({});
    assert.deepEqual([defaults.metricsProtocol, defaults.tracesProtocol], ['http/protobuf', 'http/protobuf']);
    const shared = readOtelConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    assert.deepEqual([shared.metricsProtocol, shared.tracesProtocol], ['http/json', 'http/json']);
    const traces = readOtelConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    assert.deepEqual([traces.metricsProtocol, traces.tracesProtocol], ['http/json', 'grpc']);
    // The shared endpoint follows each signal's protocol: a path for HTTP, the bare address for gRPC.
    assert.deepEqual([traces.metricsUrl, traces.tracesUrl], ['http://collector:4318/v1/metrics', 'http://collector:4318']);
    const metrics = readOtelConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '' });
    assert.deepEqual([metrics.metricsProtocol, metrics.tracesProtocol], ['http/json', 'http/protobuf']);
    assert.deepEqual(metrics.notes, []);
    const bad = readOtelConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.deepEqual([bad.metricsProtocol, bad.tracesProtocol], ['http/protobuf', 'grpc']);
    assert.deepEqual(bad.notes, ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=thrift is not supported (use grpc, http/protobuf, http/json); using http/protobuf']);
    const badShared = readOtelConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' });
    assert.deepEqual(badShared.notes, ['OTEL_EXPORTER_OTLP_PROTOCOL=udp is not supported (use grpc, http/protobuf, http/json); using http/protobuf'], 'said once, not per signal');
  });

  test('each signal gets the exporter of its own protocol', async () => {
    const c = readOtelConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    const exporters = [metricExporter('otlp', c), spanExporter('otlp', c), spanExporter('jaeger', c)];
    try {
      assert.ok(exporters[0] instanceof GrpcMetricExporter);
      assert.ok(exporters[1] instanceof HttpTraceExporter);
      assert.ok(exporters[2] instanceof ProtoTraceExporter, 'jaeger always sends OTLP protobuf');
    } finally {
      await Promise.all(exporters.map((e) => e.shutdown()));
    }
  });

  describe('OTLP over HTTP (JSON) to a real receiver', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let hub: Hub;
    let agent: WebSocket;
    let serverId = '';
    before(async () => {
      receiver = await startReceiver();
      hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: {
        OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300' } });
      agent = await feedAgent(hub);
      await new Promise((r) => setTimeout(r, 1000));
      serverId = hub.store.servers()[0].id;
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
      // The server's id, the same for every generation (USR2); no master pid that a new master would change.
      assert.equal(attrs(rm.resource.attributes)['service.instance.id'], serverId);
      assert.equal(attrs(rm.resource.attributes)['process.pid'], undefined);
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
      assert.ok(worker, `spans: ${spans.map((s) => s.name).join()}`);
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

  test('jaeger: OTLP protobuf spans reach OTEL_EXPORTER_JAEGER_ENDPOINT, and the hub says so once for two servers', async () => {
    const receiver = await startReceiver();
    const jaeger = `${receiver.url}/jaeger/otlp/traces`;
    const logged: string[] = [];
    const hub = await startHub({ token: TOKEN, log: (line) => logged.push(line), otelEnv: {
      OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: jaeger, OTEL_METRIC_EXPORT_INTERVAL: '300' } });
    const agents = [await feedAgent(hub, 900, 'shop'), await feedAgent(hub, 910, 'cart')];
    const spans = () => receiver.received.filter((r) => r.path === '/jaeger/otlp/traces').flatMap((r) => protoSpans(r.body));
    const workers = () => spans().filter((s) => s.name === 'gunicorn.worker');
    try {
      await until(() => hub.store.servers().filter((s) => s.connected).length === 2, 'both servers connected');
      await until(() => workers().length === 2, 'a gunicorn.worker span from each server');
    } finally {
      for (const agent of agents) agent.close();
      await hub.close();
      receiver.server.close();
    }
    assert.deepEqual(receiver.received.map((r) => [r.path, r.contentType]).filter(([path]) => path !== '/jaeger/otlp/traces'), [], 'nothing sent elsewhere');
    assert.ok(receiver.received.every((r) => r.contentType === 'application/x-protobuf'));
    assert.deepEqual(workers().map((s) => [s.service, s.attributes['worker.pid'], s.events]).sort(),
      [['cart', 911, ['start', 'shutdown']], ['shop', 901, ['start', 'shutdown']]]);
    const said = logged.filter((line) => /jaeger/i.test(line));
    assert.deepEqual(said, [`OTEL_TRACES_EXPORTER=jaeger: sending OTLP/HTTP to Jaeger at ${jaeger} (Jaeger's own protocol is retired; Jaeger ≥ 1.35 accepts OTLP)`]);
  });
});
