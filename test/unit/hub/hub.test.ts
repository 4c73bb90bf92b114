// The hub over real sockets, with a scripted agent speaking the protocol (the real Python agent is
// exercised by the integration suite).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { isLoopbackHost, startHub, type Hub } from '../../../extension/hub/hub';
import { PROTOCOL_VERSION } from '../../../extension/protocol/agent';
import { hubToUi, type HistoryPoint, type HubToUi, type ServerView } from '../../../extension/protocol/ui';
import { until } from '../../until';

const TOKEN = 'test-token-0123456789abcdef';
const hello = (masterPid: number, protocol = '1.0') => ({
  type: 'hello', protocol,
  agent: { version: '0.1.0', python: '3.11.2', gunicorn: '20.1.0' },
  server: { masterPid, host: 'box', app: 'app:app', bind: [`127.0.0.1:${masterPid}`], workerClass: 'sync',
    serviceName: `svc${masterPid}`, startedAt: 1000, targetWorkers: 2, interval: 1, durationBuckets: [0.1, 1] },
});
const sample = (seq: number, at: number, workers: Array<[number, number]>, completed: number) => ({
  type: 'sample', seq, at, master: { pid: 1, cpuPercent: 0.5, rssBytes: 1000 }, targetWorkers: 2,
  workers: workers.map(([pid, requests], i) => ({ pid, age: i + 1, bootedAt: 1000, cpuPercent: 1.5, rssBytes: 4096 * pid, requests, state: 'idle' })),
  requests: completed ? [{ method: 'GET', route: '/', status: 200, count: completed, durationSum: 0.01 * completed, buckets: [completed, 0, 0], responseBytes: 2 * completed }] : [],
});

function connect(hub: Hub, path: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
  onMessage?: (data: WebSocket.RawData) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}${path}`, { headers });
    if (onMessage) ws.on('message', onMessage); // before open: the snapshot comes at once
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) =>
  ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

const api = (hub: Hub, path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
  fetch(`${hub.url}${path}`, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' } });

/** GET with the path exactly as given: no client-side normalisation or re-encoding. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hub', () => {
  let hub: Hub;
  let staticParent: string;
  before(async () => {
    // The served folder, a secret of a served type next to it, and in a sibling whose name starts the same.
    staticParent = mkdtempSync(join(tmpdir(), 'gl-static-'));
    const staticDir = join(staticParent, 'static');
    mkdirSync(staticDir);
    mkdirSync(join(staticParent, 'static-sibling'));
    writeFileSync(join(staticDir, 'dashboard.js'), 'console.log(1)');
    writeFileSync(join(staticParent, 'secret.js'), 'SECRET');
    writeFileSync(join(staticParent, 'static-sibling', 'secret.js'), 'SECRET');
    hub = await startHub({ token: TOKEN, staticDir });
  });
  after(() => hub.close());

  test('listens on loopback and prints a dashboard URL carrying the token', () => {
    assert.equal(hub.host, '127.0.0.1');
    assert.equal(hub.dashboardUrl, `http://127.0.0.1:${hub.port}/#token=${TOKEN}`);
    assert.equal(hub.agentUrl, `ws://127.0.0.1:${hub.port}/ws/agent`);
  });

  test('the API refuses a missing or wrong token with 401', async () => {
    assert.equal((await api(hub, '/api/servers', {}, null)).status, 401);
    assert.equal((await api(hub, '/api/servers', {}, 'wrong-token-0123456789abcd')).status, 401);
    assert.equal((await api(hub, '/api/servers')).status, 200);
  });

  test('the API takes ?token= as it takes the header (the header wins); 405 for a wrong method, 400 for a bad window', async () => {
    const id = hub.store.connect(hello(1300) as Parameters<Hub['store']['connect']>[0]);
    try {
      assert.equal((await fetch(`${hub.url}/api/servers?token=${TOKEN}`)).status, 200);
      assert.equal((await fetch(`${hub.url}/api/servers?token=wrong-token-0123456789abcd`)).status, 401);
      assert.equal((await fetch(`${hub.url}/api/servers?token=${TOKEN}`, { headers: { Authorization: 'Bearer nope' } })).status, 401);
      assert.equal((await api(hub, `/api/servers/${id}/history`, { method: 'POST' })).status, 405);
      assert.equal((await api(hub, `/api/servers/${id}/signal`)).status, 405);
      assert.equal((await api(hub, '/api/servers', { method: 'POST' })).status, 405);
      for (const path of ['/', '/metrics', '/healthz', '/dashboard.js']) assert.equal((await fetch(`${hub.url}${path}`, { method: 'POST' })).status, 405, path);
      for (const window of ['0', '-5', 'ten', '', 'Infinity']) {
        const res = await api(hub, `/api/servers/${id}/history?window=${window}`);
        assert.equal(res.status, 400, window);
        assert.deepEqual(await res.json(), { error: 'window must be a positive number of seconds' });
      }
      assert.equal((await api(hub, `/api/servers/${id}/history?window=0.5`)).status, 200);
    } finally {
      hub.store.disconnect(id);
    }
  });

  test('both sockets refuse a missing or wrong token with 401', async () => {
    await assert.rejects(connect(hub, '/ws/agent', {}), /HTTP 401/);
    await assert.rejects(connect(hub, '/ws/ui', { Authorization: 'Bearer nope' }), /HTTP 401/);
  });

  test('samples become servers, workers, totals and metrics', async () => {
    const agent = await connect(hub, '/ws/agent');
    agent.send(JSON.stringify(hello(501)));
    agent.send(JSON.stringify(sample(0, 2000, [[502, 3], [503, 4]], 7)));
    agent.send(JSON.stringify(sample(1, 2001, [[502, 8], [503, 4]], 5)));
    const server = await until(async () => {
      const { servers } = (await (await api(hub, '/api/servers')).json()) as { servers: ServerView[] };
      return servers.find((s) => s.masterPid === 501 && s.requestsTotal === 12);
    }, 'two samples');
    assert.deepEqual(server.workers.map((w) => [w.pid, w.requests, w.rssBytes]),
      [[502, 8, 4096 * 502], [503, 4, 4096 * 503]]);
    assert.equal(server.connected, true);
    const history = (await (await api(hub, `/api/servers/${server.id}/history?window=60`)).json()) as { points: HistoryPoint[] };
    assert.equal(history.points.length, 2);
    assert.equal(history.points[1].rps, 5);
    assert.deepEqual(history.points[1].workers.map((w) => w.rps), [5, 0]);

    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const labels = (pid: number) => `{server="svc501",server_id="${server.id}",pid="${pid}"}`;
    assert.ok(metrics.includes(`\ngunicorn_worker_requests_total${labels(502)} 8\n`), metrics);
    assert.ok(metrics.includes(`\ngunicorn_worker_memory_bytes${labels(503)} 2060288\n`));
    assert.ok(metrics.includes(`\ngunicorn_worker_cpu_percent${labels(502)} 1.5\n`));

    agent.close();
    await until(() => hub.store.server(server.id)?.connected === false, 'disconnect');
    assert.doesNotMatch(await (await fetch(`${hub.url}/metrics`)).text(), /pid="502"/);
  });

  test('an unknown major protocol version is refused with a clear close reason', async () => {
    const agent = await connect(hub, '/ws/agent');
    const close = closed(agent);
    agent.send(JSON.stringify(hello(600, '2.0')));
    assert.deepEqual(await close, { code: 4002, reason: `unsupported protocol 2.0; this hub speaks ${PROTOCOL_VERSION}` });
  });

  test('an invalid frame, or a sample before hello, closes the agent socket with 4003', async () => {
    for (const frame of ['{not json', JSON.stringify({ type: 'sample' }), JSON.stringify(sample(0, 1, [], 0))]) {
      const agent = await connect(hub, '/ws/agent');
      const close = closed(agent);
      agent.send(frame);
      assert.equal((await close).code, 4003, frame);
    }
  });

  test('the dashboard socket checks Origin, then streams a snapshot and updates', async () => {
    await assert.rejects(connect(hub, `/ws/ui?token=${TOKEN}`, { Origin: 'http://evil.example' }), /HTTP 403/);
    // On loopback the Host header vouches for nothing (DNS rebinding sends a matching pair).
    await assert.rejects(connect(hub, `/ws/ui?token=${TOKEN}`, { Origin: `http://evil.example:${hub.port}`, Host: `evil.example:${hub.port}` }), /HTTP 403/);
    // A forwarding origin the host vouches for (VS Code's asExternalUri) is let in.
    hub.allowOrigin('https://codeserver.example/proxy/1234/');
    (await connect(hub, `/ws/ui?token=${TOKEN}`, { Origin: 'https://codeserver.example' })).close();
    const messages: HubToUi[] = [];
    const ui = await connect(hub, `/ws/ui?token=${TOKEN}`, { Origin: `http://127.0.0.1:${hub.port}` },
      (d) => messages.push(JSON.parse((d as Buffer).toString())));
    const agent = await connect(hub, '/ws/agent');
    agent.send(JSON.stringify(hello(700)));
    agent.send(JSON.stringify(sample(0, 3000, [[701, 1]], 1)));
    agent.send(JSON.stringify({ type: 'event', event: { type: 'worker_spawn', pid: 701, at: 3000 } }));
    await until(() => messages.some((m) => m.type === 'event'), 'event on the dashboard socket');
    assert.equal(messages[0].type, 'snapshot');
    const update = messages.find((m) => m.type === 'update');
    assert.ok(update && update.type === 'update');
    assert.equal(update.server.masterPid, 700);
    assert.deepEqual(update.point.workers.map((w) => w.pid), [701]);
    // What the hub sends is what the UI protocol (extension/protocol/ui.ts) says.
    for (const m of messages) assert.deepEqual(hubToUi.safeParse(m).error?.issues, undefined, m.type);
    ui.close();
    agent.close();
  });

  test('signals: allow-listed only, forwarded to the agent, and its ack returned', async () => {
    const agent = await connect(hub, '/ws/agent');
    agent.send(JSON.stringify(hello(800)));
    agent.on('message', (d) => {
      const command = JSON.parse((d as Buffer).toString());
      agent.send(JSON.stringify({ type: 'ack', id: command.id, ok: command.signal === 'TTIN', ...(command.signal === 'TTIN' ? {} : { error: 'no' }) }));
    });
    const id = await until(() => hub.store.servers().find((s) => s.masterPid === 800)?.id, 'server 800');
    const post = (signal: string, server = id) => api(hub, `/api/servers/${server}/signal`, { method: 'POST', body: JSON.stringify({ signal }) });
    const ok = await post('SIGTTIN');
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true });
    assert.equal((await post('HUP')).status, 502);
    assert.equal((await post('KILL')).status, 400);
    assert.equal((await post('HUP', 'nosuchserver')).status, 404);
    agent.close();
  });

  test('after USR2 the new master is the server; the old one still counts until it leaves, with no flapping', async () => {
    const generation = (masterPid: number, startedAt: number) => {
      const h = hello(masterPid);
      return { ...h, server: { ...h.server, bind: ['127.0.0.1:7777'], serviceName: 'usr2', startedAt } };
    };
    const old = await connect(hub, '/ws/agent');
    old.send(JSON.stringify(generation(900, 1000)));
    old.send(JSON.stringify(sample(0, 5000, [[901, 1]], 1)));
    const id = await until(() => hub.store.servers().find((s) => s.masterPid === 900 && s.requestsTotal === 1)?.id, 'old master');
    const fresh = await connect(hub, '/ws/agent');
    fresh.send(JSON.stringify(generation(950, 2000)));
    fresh.send(JSON.stringify(sample(0, 5001, [[951, 2]], 2)));
    await until(() => hub.store.server(id)?.requestsTotal === 3, 'new generation sample');
    old.send(JSON.stringify(sample(1, 5002, [[901, 50]], 49))); // the old master's workers still serve: counted
    old.send(JSON.stringify(generation(900, 1000))); // and reconnect-style hellos do not take over
    fresh.send(JSON.stringify(sample(1, 5003, [[951, 3]], 1)));
    await until(() => hub.store.server(id)?.requestsTotal === 53 && hub.store.server(id)?.lastSampleAt === 5003, 'second new sample');
    const view = hub.store.server(id)!;
    assert.equal(view.masterPid, 950);
    assert.deepEqual(view.workers.map((w) => [w.pid, w.requests]), [[951, 3], [901, 50]]);
    old.close();
    await until(() => hub.store.server(id)?.workers.length === 1, 'the old worker gone with its master');
    assert.equal(hub.store.server(id)?.connected, true);
    assert.equal(hub.store.counters(id)?.exitedWorkerRequests, 50);
    fresh.close();
  });

  test('a dashboard gets the last 5 minutes at once, then the rest of the hour in slices, newest first', async () => {
    // 25 minutes of samples, straight into the store (an agent may not send that fast).
    const id = hub.store.connect(hello(1200) as Parameters<Hub['store']['connect']>[0]);
    const start = 100_000;
    for (let i = 0; i < 1500; i++) hub.store.sample(id, sample(i, start + i, [[1201, i]], 1) as Parameters<Hub['store']['sample']>[1]);
    const messages: HubToUi[] = [];
    const ui = await connect(hub, `/ws/ui?token=${TOKEN}`, {}, (d) => messages.push(JSON.parse((d as Buffer).toString())));
    const slices = () => messages.filter((m): m is Extract<HubToUi, { type: 'history' }> => m.type === 'history' && m.serverId === id);
    await until(() => slices().reduce((n, m) => n + m.points.length, 0) === 1500 - 300, 'all history slices');
    const snapshot = messages[0];
    assert.ok(snapshot.type === 'snapshot');
    assert.deepEqual(snapshot.history[id].map((p) => p.at), Array.from({ length: 300 }, (_, i) => start + 1200 + i));
    const firsts = slices().map((m) => [m.points[0].at, m.points.length]);
    assert.deepEqual(firsts, Array.from({ length: 8 }, (_, i) => [start + 1050 - 150 * i, 150]));
    ui.close();
    hub.store.disconnect(id);
  });

  test('a dashboard over its message rate is closed with 4008', async () => {
    const ui = await connect(hub, `/ws/ui?token=${TOKEN}`, {});
    const close = closed(ui);
    for (let i = 0; i < 100; i++) ui.send(JSON.stringify({ type: 'ready' }));
    assert.equal((await close).code, 4008);
  });

  test('frames over 1 MiB are refused (1009) before they are parsed', async () => {
    const agent = await connect(hub, '/ws/agent');
    const close = closed(agent);
    agent.send('x'.repeat(1024 * 1024 + 1));
    assert.equal((await close).code, 1009);
  });

  test('static files never leave their folder, however the path is spelled', async () => {
    assert.equal((await fetch(`${hub.url}/dashboard.js`)).status, 200);
    // Raw request lines (fetch would normalise them): each would reach a secret next to the folder.
    const paths = ['/../secret.js', '/..%2fsecret.js', '/..%2Fsecret.js', '/%2e%2e/secret.js', '/%2e%2e%2fsecret.js',
      '/.%2e/secret.js', '/..%5csecret.js', '/..\\secret.js', '/%2e%2e%5csecret.js', '/%252e%252e%252fsecret.js', '/..%252fsecret.js',
      '/..%2f..%2f' + staticParent.slice(1).replaceAll('/', '%2f') + '%2fsecret.js', '/..%2fstatic-sibling%2fsecret.js',
      '/%00', '/dashboard.js%00.css', '/%2e%2e%2fsecret.js%00', '/%c0%ae%c0%ae%2fsecret.js', '/%'];
    for (const path of paths) {
      const { status, body } = await rawGet(hub.port, path);
      assert.ok(status === 404 || status === 400, `${path}: ${status}`);
      assert.doesNotMatch(body, /SECRET/, path);
    }
  });
});

describe('a hub bound beyond loopback', () => {
  let hub: Hub;
  before(async () => {
    hub = await startHub({ host: '0.0.0.0', token: TOKEN, otelEnv: null });
  });
  after(() => hub.close());

  test('loopback is 127.0.0.0/8, ::1 and localhost; wildcard and other addresses are not', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('a page the hub served, under the name the browser used, may read /ws/ui; other sites still may not', async () => {
    const ui = (origin: string, host: string) => connect(hub, `/ws/ui?token=${TOKEN}`, { Origin: origin, Host: host });
    // A browser on another machine loaded http://192.0.2.7:PORT/ (or a name for it): its Origin is the Host it asked.
    for (const host of [`192.0.2.7:${hub.port}`, `gunicorn-box.lan:${hub.port}`, `[2001:db8::7]:${hub.port}`]) {
      (await ui(`http://${host}`, host)).close();
    }
    await assert.rejects(ui('http://evil.example', `192.0.2.7:${hub.port}`), /HTTP 403/);
    await assert.rejects(ui(`http://192.0.2.8:${hub.port}`, `192.0.2.7:${hub.port}`), /HTTP 403/, 'another host');
    await assert.rejects(ui(`http://192.0.2.7:1`, `192.0.2.7:${hub.port}`), /HTTP 403/, 'another port');
    await assert.rejects(ui(`https://192.0.2.7:${hub.port}`, `192.0.2.7:${hub.port}`), /HTTP 403/, 'another scheme');
    await assert.rejects(connect(hub, '/ws/ui', { Origin: `http://192.0.2.7:${hub.port}`, Host: `192.0.2.7:${hub.port}` }), /HTTP 401/, 'the token is still required');
  });
});
