// GET /api/servers/:id/profile over a real hub: an agent speaking protocol 1.2 sends profile frames on its
// WebSocket; the API answers in each format, with the token, and refuses bad parameters in one line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startHub, type Hub } from '../../../../extension/hub/hub';
import type { ProfileResult } from '../../../../extension/protocol/ui';
import { until } from '../../../until';
import { F, profileFrame } from './profileFrames';

const TOKEN = 'profile-api-token-0123456789';
let hub: Hub;
let ws: WebSocket;
let id = '';
const now = Math.floor(Date.now() / 1000);

before(async () => {
  hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: null });
  ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'hello', protocol: '1.2', agent: { version: '0', python: '3.11', gunicorn: '27.0.1' },
    server: { masterPid: 900, host: 'box', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 'svc',
      startedAt: now - 5, targetWorkers: 2, interval: 1, durationBuckets: [0.1], durationScale: 4, profileHz: 97, stuckAfter: 30 } }));
  ws.send(JSON.stringify(profileFrame(now, [
    [901, 'GET', '/cpu', [F.main, F.burn], 90, 88],
    [902, 'GET', '/sleep', [F.main, F.sleep], 95, 2],
  ])));
  await until(() => hub.store.servers()[0] !== undefined && (hub.store.profile(hub.store.servers()[0].id, { window: 60, mode: 'wall' })?.samples ?? 0) === 185, 'the profile frame in the store');
  id = hub.store.servers()[0].id;
});
after(async () => {
  ws.close();
  await hub.close();
});

const get = (query: string, token = TOKEN) => fetch(`${hub.url}/api/servers/${id}/profile${query}`, { headers: { Authorization: `Bearer ${token}` } });

test('json: the tree with its totals, the routes and workers, for the default 5-minute wall profile', async () => {
  const res = await get('');
  assert.equal(res.status, 200);
  const r = (await res.json()) as ProfileResult;
  assert.deepEqual([r.window, r.mode, r.route, r.pid, r.hz, r.profilerOn, r.samples], [300, 'wall', null, null, 97, true, 185]);
  assert.equal(r.root.children[0].name, 'handle');
  assert.equal(r.root.children[0].total, 185);
  assert.deepEqual(r.routes.map((x) => `${x.method} ${x.route}`), ['GET /sleep', 'GET /cpu']);
  assert.deepEqual(r.pids, [901, 902]);
});

test('collapsed, filtered to a route and mode, as flamegraph.pl reads it, with a file name to save', async () => {
  const res = await get('?route=GET%20/cpu&mode=cpu&format=collapsed&window=60');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  assert.match(res.headers.get('content-disposition')!, /attachment; filename=".*GET_cpu-cpu-60s\.collapsed\.txt"/);
  assert.equal(await res.text(), 'handle (/srv/app.py:40);burn (/srv/app.py:12) 88\n');
});

test('speedscope, filtered to a worker', async () => {
  const res = await get('?pid=902&format=speedscope');
  const file = (await res.json()) as { profiles: { weights: number[]; unit: string }[]; shared: { frames: { name: string }[] } };
  assert.equal(file.profiles[0].unit, 'seconds');
  assert.deepEqual(file.profiles[0].weights, [95 / 97]);
  assert.deepEqual(file.shared.frames.map((f) => f.name), ['handle', 'nap']);
});

test('bad parameters: 400 with one message; an unknown server: 404; no token: 401', async () => {
  const bad: [string, string][] = [
    ['?window=0', 'window must be from 1 to 3600'],
    ['?window=3601', 'window must be from 1 to 3600'],
    ['?window=1.5', 'window must be a whole number'],
    ['?mode=both', 'mode must be one of wall, cpu'],
    ['?format=pprof', 'format must be one of json, collapsed, speedscope'],
    ['?pid=-3', 'pid must be a whole number'],
    ['?route=', 'route must be "METHOD ROUTE", e.g. "GET /orders/{id}"'],
    ['?window=60&window=30', 'window is given twice'],
    ['?depth=3', 'unknown parameter depth; known: window, route, pid, mode, format'],
  ];
  for (const [query, error] of bad) {
    const res = await get(query);
    assert.equal(res.status, 400, query);
    assert.deepEqual(await res.json(), { error }, query);
  }
  const missing = await fetch(`${hub.url}/api/servers/nosuchserver/profile`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(missing.status, 404);
  assert.equal((await get('', 'wrong-token-0123456789abcdef')).status, 401);
});
