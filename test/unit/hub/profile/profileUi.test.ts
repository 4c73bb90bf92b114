// A dashboard's profile request on /ws/ui, over a real hub fed by an agent's profile frames: the answer
// goes to the asking socket with its id and the same tree as the API; a request the protocol refuses,
// or the VS Code-only saveProfile, closes the socket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startHub, type Hub } from '../../../../extension/hub/hub';
import { CLOSE_CODES } from '../../../../extension/protocol/constants';
import type { HubToUi } from '../../../../extension/protocol/ui';
import { until } from '../../../until';
import { F, profileFrame } from './profileFrames';

const TOKEN = 'profile-ui-token-0123456789';
let hub: Hub;
let agent: WebSocket;
let id = '';
const now = Math.floor(Date.now() / 1000);

before(async () => {
  hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: null });
  agent = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => agent.once('open', r));
  agent.send(JSON.stringify({ type: 'hello', protocol: '1.2', agent: { version: '0', python: '3.11', gunicorn: '27.0.1' },
    server: { masterPid: 900, host: 'box', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 'svc',
      startedAt: now - 5, targetWorkers: 2, interval: 1, durationBuckets: [0.1], durationScale: 4, profileHz: 97, stuckAfter: 30 } }));
  agent.send(JSON.stringify(profileFrame(now, [
    [901, 'GET', '/cpu', [F.main, F.burn], 90, 88],
    [902, 'GET', '/sleep', [F.main, F.sleep], 95, 2],
  ])));
  await until(() => (hub.store.servers()[0] && hub.store.profile(hub.store.servers()[0].id, { window: 60, mode: 'wall' })?.samples) === 185, 'the profile frame in the store');
  id = hub.store.servers()[0].id;
});
after(async () => {
  agent.close();
  await hub.close();
});

/** A dashboard's socket, with every message it receives. */
async function dashboard(): Promise<{ ws: WebSocket; received: HubToUi[]; closed: Promise<number> }> {
  const origin = new URL(hub.url).origin;
  const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/ui?token=${TOKEN}`, { headers: { Origin: origin } });
  const received: HubToUi[] = [];
  ws.on('message', (data) => received.push(JSON.parse((data as Buffer).toString()) as HubToUi));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r) => ws.once('open', r));
  return { ws, received, closed };
}

test('a profile request is answered to the asker, with its id, filtered as asked', async () => {
  const a = await dashboard();
  const b = await dashboard();
  a.ws.send(JSON.stringify({ type: 'profile', id: 'p1', serverId: id, window: 60, route: 'GET /cpu', mode: 'cpu' }));
  const answer = await until(() => a.received.find((m) => m.type === 'profile'), 'the answer') as Extract<HubToUi, { type: 'profile' }>;
  assert.equal(answer.id, 'p1');
  assert.equal(answer.error, undefined);
  const p = answer.profile!;
  assert.deepEqual([p.serverId, p.window, p.mode, p.route, p.pid, p.samples, p.hz, p.profilerOn], [id, 60, 'cpu', 'GET /cpu', null, 88, 97, true]);
  assert.deepEqual(p.root.children.map((c) => [c.name, c.total]), [['handle', 88]]);
  assert.deepEqual(p.root.children[0].children.map((c) => [c.name, c.file, c.line, c.self]), [['burn', '/srv/app.py', 12, 88]]);
  // The answer is the one the API gives for the same query.
  const api = await (await fetch(`${hub.url}/api/servers/${id}/profile?window=60&route=GET%20/cpu&mode=cpu`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.deepEqual(p, api);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(b.received.filter((m) => m.type === 'profile').length, 0, 'the other dashboard gets nothing');
  a.ws.close();
  b.ws.close();
});

test('an unknown server is answered with no profile and the reason', async () => {
  const a = await dashboard();
  a.ws.send(JSON.stringify({ type: 'profile', id: 'p2', serverId: 'nosuchserver', window: 300, mode: 'wall' }));
  const answer = await until(() => a.received.find((m) => m.type === 'profile'), 'the answer');
  assert.deepEqual(answer, { type: 'profile', id: 'p2', profile: null, error: 'no server with id nosuchserver' });
  a.ws.close();
});

test('a bad profile request, or saveProfile (VS Code only), closes the socket as an invalid frame', async () => {
  for (const bad of [
    { type: 'profile', id: 'p3', serverId: id, window: 0, mode: 'wall' },
    { type: 'profile', id: 'p4', serverId: id, window: 60, mode: 'heap' },
    { type: 'saveProfile', serverId: id, window: 60, mode: 'wall', format: 'speedscope' },
  ]) {
    const a = await dashboard();
    a.ws.send(JSON.stringify(bad));
    assert.equal(await a.closed, CLOSE_CODES.invalidFrame, JSON.stringify(bad));
  }
});
