// /metrics with scripted agents over real sockets: servers that share a service name (the default, the
// app module) keep their own series, and a disconnected server leaves /metrics whole.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startHub, type Hub } from '../../../extension/hub/hub';
import type { ServerView } from '../../../extension/protocol/ui';
import { until } from '../../until';

const TOKEN = 'metrics-token-0123456789abcdef';

interface Agent { host: string; bind: string; masterPid: number }

const hello = (a: Agent) => ({
  type: 'hello', protocol: '1.0', agent: { version: '0.1.0', python: '3.11.2', gunicorn: '20.1.0' },
  server: { masterPid: a.masterPid, host: a.host, app: 'app:app', bind: [a.bind], workerClass: 'sync', serviceName: 'app',
    startedAt: 1000, targetWorkers: 2, interval: 1, durationBuckets: [0.1, 1] },
});
/** One sample; pids are the same on every agent (pid 7 on two hosts), the numbers need not be. */
const sample = (seq: number, workers: Array<[pid: number, requests: number]>, completed: number, failed = 0, target = 2) => ({
  type: 'sample', seq, at: 2000 + seq, master: { pid: 1, cpuPercent: 0.5, rssBytes: 1000 * target }, targetWorkers: target,
  workers: workers.map(([pid, requests]) => ({ pid, age: 1, bootedAt: 1000, cpuPercent: 1, rssBytes: 4096 * requests, requests, state: 'idle' })),
  requests: [
    ...(completed ? [{ method: 'GET', route: '/', status: 200, count: completed, durationSum: 0.01, buckets: [completed, 0, 0], responseBytes: 2 }] : []),
    ...(failed ? [{ method: 'GET', route: '/', status: 500, count: failed, durationSum: 0.01, buckets: [failed, 0, 0], responseBytes: 2 }] : []),
  ],
});
const event = (event: object) => ({ type: 'event', event });

function connect(hub: Hub): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

type Sample = { name: string; labels: Record<string, string>; value: number; key: string };

/** Every sample line of the exposition; `key` is the name and its labels, sorted, as Prometheus keys a series. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    const key = `${m[1]}{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
    out.push({ name: m[1], labels, value: Number(m[3]), key });
  }
  return out;
}

describe('/metrics with several servers', () => {
  let hub: Hub;
  const scrape = async () => parse(await (await fetch(`${hub.url}/metrics`)).text());
  const servers = async () => ((await (await fetch(`${hub.url}/api/servers`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { servers: ServerView[] }).servers;
  before(async () => {
    hub = await startHub({ token: TOKEN, otelEnv: null });
  });
  after(() => hub.close());

  test('servers sharing a service name (two hosts, two binds, all `app:app`) keep unique series with their own values', async () => {
    // Three servers named "app": two binds on host a, and host b on the same bind as the first.
    const agents: Agent[] = [{ host: 'a', bind: '127.0.0.1:8000', masterPid: 12 }, { host: 'a', bind: '127.0.0.1:8001', masterPid: 23 },
      { host: 'b', bind: '127.0.0.1:8000', masterPid: 34 }];
    const sockets: WebSocket[] = [];
    for (const [i, a] of agents.entries()) {
      const ws = await connect(hub);
      sockets.push(ws);
      const n = i + 1; // every number this server reports is a multiple of n
      ws.send(JSON.stringify(hello(a)));
      // Worker 8 served the n failures too: a worker's count holds every request it completed.
      ws.send(JSON.stringify(sample(0, [[7, 10 * n], [8, 21 * n]], 30 * n, n, n + 1)));
      ws.send(JSON.stringify(event({ type: 'worker_exit', pid: 8, reason: 'signal', signal: 'SIGKILL', at: 2000.5 })));
      ws.send(JSON.stringify(event({ type: 'signal', signal: 'SIGTTIN', at: 2000.6 })));
      for (let i = 0; i < n; i++) {
        ws.send(JSON.stringify(event({ type: 'request_stuck', pid: 7, method: 'GET', route: '/', elapsed: 31, stack: [], at: 2000.7 })));
      }
      ws.send(JSON.stringify(sample(1, [[7, 11 * n], [9, 0]], n, 0, n + 1)));
    }
    const nOf = (s: ServerView) => agents.findIndex((a) => a.masterPid === s.masterPid) + 1;
    const listed = await until(async () => {
      const mine = (await servers()).filter((s) => nOf(s) > 0);
      return mine.length === 3 && mine.every((s) => s.requestsTotal === 32 * nOf(s) && s.workers.length === 2) ? mine : null;
    }, 'three servers, two samples each');
    const idOf = new Map(listed.map((s) => [s.id, nOf(s)]));
    assert.equal(idOf.size, 3, 'three distinct server ids');

    const samples = await scrape();
    const seen = new Map<string, number>();
    for (const s of samples) seen.set(s.key, (seen.get(s.key) ?? 0) + 1);
    assert.deepEqual([...seen].filter(([, n]) => n > 1), [], 'a series appears twice');
    const ours = samples.filter((s) => s.labels.server === 'app');
    assert.ok(ours.length > 0);
    for (const s of ours) assert.ok(idOf.has(s.labels.server_id), `${s.key} has no server_id of /api/servers`);
    // Every gunicorn_* metric that names the server names it exactly.
    const names = new Set(samples.filter((s) => s.name.startsWith('gunicorn_') && 'server' in s.labels).map((s) => s.name));
    for (const name of names) assert.ok(samples.filter((s) => s.name === name).every((s) => 'server_id' in s.labels), `${name} lacks server_id`);

    const value = (name: string, id: string, more: Record<string, string> = {}) => {
      const found = samples.filter((s) => s.name === name && s.labels.server_id === id &&
        Object.entries(more).every(([k, v]) => s.labels[k] === v));
      assert.equal(found.length, 1, `${name} ${id} ${JSON.stringify(more)}: ${found.length} series`);
      return found[0].value;
    };
    for (const [id, n] of idOf) {
      assert.equal(value('gunicorn_worker_requests_total', id, { pid: '7' }), 11 * n);
      assert.equal(value('gunicorn_worker_requests_total', id, { pid: '9' }), 0);
      assert.equal(value('gunicorn_worker_requests_total', id, { pid: 'exited' }), 21 * n);
      assert.equal(value('gunicorn_worker_memory_bytes', id, { pid: '7' }), 4096 * 11 * n);
      assert.equal(value('gunicorn_workers', id, { state: 'target' }), n + 1);
      assert.equal(value('gunicorn_workers', id, { state: 'idle' }), 2);
      assert.equal(value('gunicorn_requests_total', id, { method: 'GET', route: '/', status: '200' }), 31 * n);
      assert.equal(value('gunicorn_worker_failed_requests_total', id, { route: '/' }), n);
      assert.equal(value('gunicorn_worker_request_duration_seconds_count', id, { route: '/' }), 32 * n);
      assert.equal(value('gunicorn_worker_restarts_total', id, { reason: 'signal' }), 1);
      assert.equal(value('gunicorn_master_signals_total', id, { signal: 'SIGTTIN' }), 1);
      assert.equal(value('gunicorn_requests_stuck_total', id), n);
      assert.equal(value('gunicorn_worker_client_disconnects_total', id), 0);
      assert.equal(value('gunicorn_master_memory_bytes', id), 1000 * (n + 1));
    }
    for (const ws of sockets) ws.close();
    await until(() => hub.store.summaries().every((s) => !s.connected), 'disconnects');
  });

  test('a disconnected server drops out of /metrics at once, its exited-workers total included', async () => {
    const ws = await connect(hub);
    ws.send(JSON.stringify(hello({ host: 'c', bind: '127.0.0.1:9000', masterPid: 45 })));
    ws.send(JSON.stringify(sample(0, [[7, 5], [8, 6]], 11)));
    ws.send(JSON.stringify(sample(1, [[7, 5]], 0)));
    const server = await until(async () => (await servers()).find((s) => s.masterPid === 45 && s.workers.length === 1), 'the exit');
    const mine = (all: Sample[]) => all.filter((s) => s.labels.server_id === server.id);
    assert.deepEqual(mine(await scrape()).filter((s) => s.name === 'gunicorn_worker_requests_total').map((s) => [s.labels.pid, s.value]),
      [['7', 5], ['exited', 6]]);
    ws.close();
    await until(() => hub.store.summary(server.id)?.connected === false, 'the disconnect');
    assert.deepEqual(mine(await scrape()).map((s) => s.key), []);
  });
});
