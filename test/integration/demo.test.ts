// `gunicorn-live demo` end to end: the bundled app under real Gunicorn, its built-in traffic moving the
// counters (every demo endpoint answering what it should, 4xx and 5xx included), traffic that stops by
// itself after --minutes, and a clean exit on Ctrl-C. Bounded: about 25 s.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { startCli, stopCli, type CliProcess } from './cliProcess';
import { killLeftoverGunicorn, processGroup } from './processGroup';

/** The demo app's routes (as the agent templates them) and the status each answers. */
const DEMO_STATUS: Record<string, number> = {
  '/fast': 200, '/items/{id}': 200, '/slow': 200, '/cpu': 200, '/memory': 200,
  '/missing': 404, '/error': 500, '/raise': 500,
};
/** --minutes 0.2: the built-in traffic runs 12 s. */
const TRAFFIC_SECONDS = 12;

let cli: CliProcess | undefined;
let masterPid: number | undefined;
after(async () => {
  if (cli) await stopCli(cli);
  // Whatever happened to the CLI, no Gunicorn of this test may outlive it (it would hold our pipes open).
  if (masterPid) killLeftoverGunicorn(masterPid);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('demo: traffic moves every counter, 4xx and 5xx included, stops after --minutes; Ctrl-C exits 0', { timeout: 40_000 }, async () => {
  const started = Date.now();
  cli = startCli(['demo', '--port', '0', '--workers', '3', '--minutes', String(TRAFFIC_SECONDS / 60)]);
  const [, base, token] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{32})$/m);
  await cli.line(/^app: http:\/\/127\.0\.0\.1:\d+\/$/m);
  await cli.line(/^traffic: .* for 0\.2 min /m);
  const trafficFrom = Date.now();
  const server = async (): Promise<ServerView> => {
    const res = await fetch(`${base}/api/servers`, { headers: { Authorization: `Bearer ${token}` } });
    const { servers } = (await res.json()) as { servers: ServerView[] };
    assert.equal(servers.length, 1);
    return servers[0];
  };

  // Traffic reaches the 4xx and 5xx endpoints within a few seconds (they are 12 % of the mix).
  let view = await server();
  while (!['/missing', '/error', '/raise'].every((r) => view.routes?.some((v) => v.route === r))) {
    assert.ok(Date.now() - trafficFrom < (TRAFFIC_SECONDS - 2) * 1000, `no 4xx/5xx routes yet: ${JSON.stringify(view.routes)}`);
    await sleep(250);
    view = await server();
  }
  masterPid = view.masterPid;
  assert.equal(view.app, 'app:app');
  assert.equal(view.workers.length, 3);
  const first = view.requestsTotal;
  await sleep(1500);
  const later = await server();
  assert.ok(first > 0 && later.requestsTotal > first, `requestsTotal ${first} → ${later.requestsTotal}`);

  // Each route is one of the demo's, with the errors its status implies (5xx and raised; never 404).
  for (const r of later.routes ?? []) {
    assert.ok(r.route in DEMO_STATUS, `unexpected route ${r.method} ${r.route}`);
    assert.equal(r.method, 'GET');
    assert.equal(r.errors, DEMO_STATUS[r.route] >= 500 ? r.count : 0, `${r.route}: ${r.errors} errors of ${r.count}`);
  }
  // … and /metrics counts each route under exactly the status the demo answers.
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const series = [...metrics.matchAll(/^gunicorn_requests_total\{[^}]*route="([^"]*)",status="(\d+)"\} (\d+)$/gm)];
  assert.ok(series.length > 0, 'no gunicorn_requests_total series');
  for (const [, route, status] of series) assert.equal(Number(status), DEMO_STATUS[route], `${route} counted as ${status}`);
  const statuses = new Set(series.map((m) => m[2]));
  for (const s of ['200', '404', '500']) assert.ok(statuses.has(s), `no ${s} series: ${[...statuses].join()}`);

  // The profiler: /cpu's samples, as collapsed stacks from the hub, are nearly all in the demo's CPU function.
  const cpuProfile = async () => {
    const res = await fetch(`${base}/api/servers/${view.id}/profile?route=GET%20/cpu&format=collapsed`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split('\n').filter(Boolean).map((l) => ({ stack: l.slice(0, l.lastIndexOf(' ')), n: Number(l.slice(l.lastIndexOf(' ') + 1)) }));
    const total = lines.reduce((a, l) => a + l.n, 0);
    return { total, burning: lines.filter((l) => /(^|;)_burn \(.*demo\/app\.py:\d+\)/.test(l.stack)).reduce((a, l) => a + l.n, 0) };
  };
  let profile = await cpuProfile();
  while (profile.total < 20 && Date.now() - trafficFrom < (TRAFFIC_SECONDS - 1) * 1000) {
    await sleep(500);
    profile = await cpuProfile();
  }
  assert.ok(profile.total >= 20, `only ${profile.total} samples of GET /cpu`);
  assert.ok(profile.burning / profile.total >= 0.8, `_burn holds ${profile.burning} of ${profile.total} samples of GET /cpu`);

  // Bounded: after --minutes (plus the slowest request, a flush and a sample) nothing more arrives.
  await sleep(Math.max(0, trafficFrom + (TRAFFIC_SECONDS + 3) * 1000 - Date.now()));
  const settled = (await server()).requestsTotal;
  await sleep(2000);
  assert.equal((await server()).requestsTotal, settled, 'the traffic stopped by itself');

  const exit = await stopCli(cli);
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.deepEqual(processGroup(view.masterPid), [], 'nothing of the demo\'s Gunicorn remains');
  assert.ok(Date.now() - started < 40_000);
});
