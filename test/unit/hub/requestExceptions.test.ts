// request_exception events (protocol 1.3) through a real hub: it names 1.3 in its handshake (agents send
// these only then), keeps the events with the server's others (the dashboard's events list, /api/servers,
// the store's 'event' that VS Code's Problems follow), and closes on a malformed one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startHub, type Hub } from '../../../extension/hub/hub';
import type { LifecycleEvent, RequestExceptionEvent } from '../../../extension/protocol/agent';
import type { ServerView } from '../../../extension/protocol/ui';
import { until } from '../../until';

const TOKEN = 'exceptions-token-0123456789abcdef';
let hub: Hub;

const hello = (masterPid: number) => ({
  type: 'hello', protocol: '1.3', agent: { version: '0', python: '3.11', gunicorn: '20.1.0' },
  server: { masterPid, host: 'box', app: 'app:app', bind: [`127.0.0.1:${masterPid}`], workerClass: 'sync', serviceName: 'svc',
    startedAt: 1000, targetWorkers: 1, interval: 1, durationBuckets: [0.1], durationScale: 4, profileHz: null, stuckAfter: 30 },
});
const boom: RequestExceptionEvent = {
  type: 'request_exception', pid: 901, method: 'GET', route: '/boom', exception: 'RuntimeError: boom on purpose', count: 3, at: 1001.5,
  stack: [{ file: '/usr/lib/python3/dist-packages/flask/app.py', line: 1796, function: 'dispatch_request' },
    { file: '/srv/app.py', line: 30, function: 'boom' }, { file: '/srv/app.py', line: 22, function: 'explode' }],
};

async function agent(masterPid: number): Promise<{ ws: WebSocket; named: string | undefined }> {
  const ws = new WebSocket(hub.agentUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  let named: string | undefined;
  ws.once('upgrade', (res) => (named = res.headers['x-gunicorn-live-protocol'] as string | undefined));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify(hello(masterPid)));
  await until(() => hub.store.servers().some((s) => s.masterPid === masterPid && s.connected), 'the server in the store');
  return { ws, named };
}

before(async () => {
  hub = await startHub({ token: TOKEN, log: () => {}, otelEnv: null });
});
after(() => hub.close());

test('the hub names 1.3 and keeps request_exception events with the server\'s others, as sent', async () => {
  const { ws, named } = await agent(900);
  assert.equal(named, '1.3');
  const seen: Array<[string, LifecycleEvent]> = [];
  hub.store.on('event', (id, e) => seen.push([id, e]));
  ws.send(JSON.stringify({ type: 'event', event: boom }));
  ws.send(JSON.stringify({ type: 'event', event: { ...boom, count: 2, at: 1011.5 } }));
  await until(() => seen.length === 2, 'both events');
  const id = hub.store.servers().find((s) => s.masterPid === 900)!.id;
  assert.deepEqual(seen, [[id, boom], [id, { ...boom, count: 2, at: 1011.5 }]]);
  const { servers } = (await (await fetch(`${hub.url}/api/servers`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { servers: ServerView[] };
  assert.deepEqual(servers.find((s) => s.id === id)!.events.filter((e) => e.type === 'request_exception'), [boom, { ...boom, count: 2, at: 1011.5 }]);
  ws.close();
});

test('a request_exception without a count of at least 1 closes the agent\'s socket (4003)', async () => {
  const { ws } = await agent(910);
  const closed = new Promise<number | string>((r) => {
    ws.once('close', (code) => r(code));
    setTimeout(() => r('still open after 5 s'), 5000).unref();
  });
  ws.send(JSON.stringify({ type: 'event', event: { ...boom, count: 0 } }));
  assert.equal(await closed, 4003);
  ws.close();
});
