// The hub under hostile input while a real Gunicorn agent streams: ≥ 100k malformed, oversized and
// prototype-polluting frames; the hub keeps serving and the real server's samples arrive without a gap.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { agentFrame } from '../../extension/protocol/agent';
import { startRealServer, type RealServer } from './realServer';

const FRAMES = 100_000;
const PER_CONNECTION = 50;
const LANES = 32;

/** Deterministic junk: same run, same frames. */
function* junk(seed: number): Generator<string | Buffer> {
  let x = seed || 1;
  const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const shapes: Array<() => string | Buffer> = [
    () => '{not json',
    () => JSON.stringify({ type: 'sample', seq: -1 }),
    () => '{"__proto__": {"polluted": true}, "type": "ack", "id": "x", "ok": true}',
    () => '{"constructor": {"prototype": {"polluted": true}}, "type": "hello"}',
    () => JSON.stringify({ type: 'event', event: { type: 'worker_exit', pid: 1e308, reason: 'crash', at: -5 } }),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => JSON.stringify({ type: 'hello', protocol: '1.0', agent: 'x'.repeat(1000) }),
    () => Buffer.from([0xff, 0xfe, 0x00, Math.floor(rand() * 255)]),
    () => String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(rand() * 0xffff))),
    () => JSON.stringify({ type: 'sample', seq: 1, at: 1, master: { pid: 1, cpuPercent: 0, rssBytes: 0 }, targetWorkers: 1,
      workers: [], requests: [{ method: 'GET', route: '/', status: 200, count: 'NaN', durationSum: 0, buckets: [], responseBytes: 0 }] }),
    () => 'null',
    () => '"hello"',
    () => JSON.stringify({ type: 'command', id: 'c1', command: 'signal', signal: 'KILL' }),
  ];
  for (;;) yield shapes[Math.floor(rand() * shapes.length)]();
}

function connectAndSpray(url: string, headers: Record<string, string>, frames: Array<string | Buffer>): Promise<number | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      for (const f of frames) ws.send(f, { binary: Buffer.isBuffer(f) });
    });
    ws.on('close', (code) => resolve(code));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? null));
    ws.on('error', () => resolve(null));
  });
}

describe('hub fuzzing while a real agent streams', () => {
  let server: RealServer;
  let serverId: string;
  before(async () => {
    server = await startRealServer(['-w', '2', 'work:app']);
    serverId = (await server.waitFor((s) => s.workers.length === 2, 'two workers')).id;
  });
  after(() => server?.stop());

  test(`${FRAMES} hostile frames: refused, the hub keeps serving, no gap in the real samples`, { timeout: 120_000 }, async () => {
    const auth = { Authorization: `Bearer ${server.hub.token}` };
    const startSeqAt = server.hub.store.history(serverId).length;
    const droppedBefore = server.hub.store.droppedSamples(serverId);
    let sent = 0;
    const closeCodes = new Map<number | null, number>();
    const lane = async (seed: number) => {
      const gen = junk(seed);
      while (sent < FRAMES) {
        const frames = Array.from({ length: PER_CONNECTION }, () => gen.next().value as string | Buffer);
        sent += frames.length;
        const code = await connectAndSpray(server.hub.agentUrl, auth, frames);
        closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
      }
    };
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: LANES }, (_, i) => lane(i + 1)),
      // Oversized frames and wrong tokens alongside.
      connectAndSpray(server.hub.agentUrl, auth, [Buffer.alloc(2 * 1024 * 1024, 0x20)]).then((c) => assert.equal(c, 1009)),
      connectAndSpray(server.hub.agentUrl, { Authorization: 'Bearer wrong-token-0123456789' }, ['{}']).then((c) => assert.equal(c, 401)),
      connectAndSpray(server.hub.url.replace('http', 'ws') + `/ws/ui?token=${server.hub.token}`, {}, ['{"type":"signal"}', 'x']).then((c) => assert.equal(c, 4003)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(sent >= FRAMES);
    // Every frame reached the hub and was refused: the first of a connection by validation, the rest
    // because the connection was already being closed.
    assert.ok(server.hub.agentTraffic.refused >= sent, `refused ${server.hub.agentTraffic.refused} of ${sent}`);
    assert.ok(![...closeCodes.keys()].some((c) => c === 1000 || c === 1011), `close codes ${[...closeCodes].join()}`);

    // Prototype pollution reached nothing.
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // The hub still serves, and the real server's samples kept coming, in sequence.
    const api = await fetch(`${server.hub.url}/api/servers`, { headers: auth });
    assert.equal(api.status, 200);
    await new Promise((r) => setTimeout(r, 1500));
    const view = server.hub.store.server(serverId)!;
    assert.equal(view.connected, true);
    assert.equal(server.hub.store.droppedSamples(serverId), droppedBefore, 'samples were lost');
    const points = server.hub.store.history(serverId).slice(startSeqAt);
    assert.ok(points.length >= Math.floor(seconds), `${points.length} points in ${seconds} s`);
    for (let i = 1; i < points.length; i++) assert.ok(points[i].at - points[i - 1].at < 2.5, `gap at ${points[i - 1].at}`);
    console.log(`# fuzz: ${sent} frames over ${sent / PER_CONNECTION} connections in ${seconds.toFixed(1)} s; refused ${server.hub.agentTraffic.refused}`);
  });

  test('every hostile frame shape is refused by the schema itself', () => {
    const gen = junk(7);
    for (let i = 0; i < 10_000; i++) {
      const f = gen.next().value as string | Buffer;
      let json: unknown;
      try {
        json = JSON.parse(f.toString());
      } catch {
        continue;
      }
      assert.equal(agentFrame.safeParse(json).success, false, String(f).slice(0, 200));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('an agent over its frame rate is closed with 4008', async () => {
    const hello = JSON.stringify({ type: 'hello', protocol: '1.0', agent: { version: '0', python: '3', gunicorn: '20' },
      server: { masterPid: 4, host: 'fuzz', app: 'a', bind: ['x:1'], workerClass: 'sync', serviceName: 'flood', startedAt: 0,
        targetWorkers: 1, interval: 1, durationBuckets: [1] } });
    const sample = (seq: number) => JSON.stringify({ type: 'sample', seq, at: seq, master: { pid: 4, cpuPercent: 0, rssBytes: 0 },
      targetWorkers: 1, workers: [], requests: [] });
    const code = await connectAndSpray(server.hub.agentUrl, { Authorization: `Bearer ${server.hub.token}` },
      [hello, ...Array.from({ length: 600 }, (_, i) => sample(i))]);
    assert.equal(code, 4008);
  });
});
