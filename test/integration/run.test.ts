// `gunicorn-live run` end to end: real Debian Gunicorn, the real agent, the real hub; N requests in →
// N counted, the workers are the master's real children, their memory and CPU are their own, and
// Ctrl-C / SIGTERM stop Gunicorn gracefully (a request in flight gets its whole answer), then the hub.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { startCli, stopCli, type CliProcess } from './cliProcess';
import { childrenOf, freePort, httpGet, vmRssBytes } from './proc';
import { killLeftoverGunicorn, processGroup } from './processGroup';
import { until } from '../until';

const APPS = join(__dirname, '..', 'apps');
const N = 120;
/** What apps/work.py's /slow answers: this many bytes, ending in "done". */
const SLOW_BODY_BYTES = 256 * 1024;

/** One GET to the app on loopback: status and the whole body. */
function getBody(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET /healthz of the hub on a fresh connection (a kept-alive one could outlive a closed listener). */
function hubHealth(base: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/healthz`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a TCP connect to 127.0.0.1:port, or 'connected'. */
function connectResult(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Masters this file has seen: killed (group and all) when it ends, should a test leave one behind. */
const mastersSeen = new Set<number>();
after(() => {
  for (const pid of mastersSeen) killLeftoverGunicorn(pid);
});

async function apiServers(base: string, token: string): Promise<ServerView[]> {
  const res = await fetch(`${base}/api/servers`, { headers: { Authorization: `Bearer ${token}` } });
  const { servers } = (await res.json()) as { servers: ServerView[] };
  for (const s of servers) mastersSeen.add(s.masterPid);
  return servers;
}

/**
 * Sends `signal` to the CLI while a 6 s request is in flight in a worker, and checks the stop was
 * graceful (TERM to the master: the request gets its whole answer; QUIT or INT would cut it off), that
 * the hub outlived Gunicorn's drain, that the CLI exits with Gunicorn's status 0, and that nothing of
 * that Gunicorn nor the hub's port remains.
 */
async function stopsGracefully(cli: CliProcess, base: string, appPort: number, servers: () => Promise<ServerView[]>,
  signal: NodeJS.Signals): Promise<void> {
  const [server] = await servers();
  assert.deepEqual(processGroup(server.masterPid), [server.masterPid, ...childrenOf(server.masterPid)].sort((a, b) => a - b));
  const slow = getBody(appPort, '/slow?s=6');
  await until(async () => (await servers())[0].workers.some((w) => w.state === 'busy'), 'the slow request in flight', 10000);
  let answered = false;
  const settle = () => (answered = true);
  slow.then(settle, settle);
  cli.child.kill(signal);
  // Gunicorn drains first: the hub must keep answering while the request is still in flight.
  assert.equal(await hubHealth(base), 200);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(answered, false, 'the slow request was still in flight a second after the stop was asked for');
  assert.equal(await hubHealth(base), 200);
  const answer = await slow;
  assert.equal(answer.status, 200);
  assert.equal(answer.body.length, SLOW_BODY_BYTES);
  assert.ok(answer.body.endsWith('done'), 'the whole body arrived');
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 30000);
  const exit = await cli.exited;
  clearTimeout(timer);
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.deepEqual(processGroup(server.masterPid), [], 'no process of that Gunicorn remains');
  assert.equal(await connectResult(Number(new URL(base).port)), 'ECONNREFUSED');
}

describe('gunicorn-live run with a user config', () => {
  let cli: CliProcess;
  let base: string;
  let token: string;
  let appPort: number;
  const markers = mkdtempSync(join(tmpdir(), 'gl-hooks-'));
  const servers = () => apiServers(base, token);

  before(async () => {
    appPort = await freePort();
    cli = startCli(['run', '--port', '0', '--', '-c', join(APPS, 'cli_user.conf.py'), '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app'],
      { env: { HOOK_MARKER_DIR: markers } });
    const [, url, t] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{32})$/m);
    base = url;
    token = t;
    await cli.line(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
  });
  after(async () => {
    if (cli) await stopCli(cli);
  });

  test('says which Python runs Gunicorn', () => {
    assert.match(cli.output(), /^python: \S+ \(gunicorn \d+\.\d+\.\d+\)$/m);
  });

  test("both workers report, and they are the master's real children", async () => {
    const server = await until(async () => (await servers()).find((s) => s.workers.length === 2 && s.workers.every((w) => w.rssBytes)), 'two sampled workers');
    assert.equal(server.connected, true);
    assert.deepEqual(server.bind, [`127.0.0.1:${appPort}`]);
    assert.equal(server.workerClass, 'sync');
    assert.deepEqual(server.workers.map((w) => w.pid).sort((a, b) => a - b), childrenOf(server.masterPid));
  });

  test("the user's config settings and hooks still apply", async () => {
    const [server] = await servers();
    assert.equal(server.targetWorkers, 2); // workers = 2 came from the user's file, not the command line
    const ran = readdirSync(markers).map((f) => Number(f.split('.')[1])).sort((a, b) => a - b);
    assert.deepEqual(ran, server.workers.map((w) => w.pid).sort((a, b) => a - b));
  });

  test(`exactly ${N} requests in → ${N} counted`, async () => {
    const [before] = await servers();
    assert.equal(before.requestsTotal, 0);
    for (let i = 0; i < N; i++) assert.equal(await httpGet(appPort, `/items/${i}`), 200);
    const server = await until(async () => (await servers()).find((s) => s.requestsTotal >= N), `${N} requests counted`);
    await new Promise((r) => setTimeout(r, 1500)); // one more interval: nothing extra may arrive
    const [settled] = await servers();
    assert.equal(settled.requestsTotal, N);
    assert.equal(settled.workers.reduce((sum, w) => sum + w.requests, 0), N);
    assert.equal(server.id, settled.id);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const perWorker = [...metrics.matchAll(/^gunicorn_worker_requests_total\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(perWorker.reduce((a, b) => a + b, 0), N);
  });

  test("each worker's RSS is its own, within 10 % of /proc/PID/status", async () => {
    const [server] = await servers();
    const master = vmRssBytes(server.masterPid);
    for (const worker of server.workers) {
      const actual = vmRssBytes(worker.pid);
      assert.ok(worker.rssBytes !== null && Math.abs(worker.rssBytes - actual) <= actual * 0.1,
        `worker ${worker.pid}: reported ${worker.rssBytes}, /proc says ${actual} (master ${master})`);
      assert.ok(worker.cpuPercent !== null && worker.cpuPercent >= 0);
    }
  });

  test('Ctrl-C stops Gunicorn gracefully, then the hub; the CLI exits with Gunicorn’s status', () =>
    stopsGracefully(cli, base, appPort, servers, 'SIGINT'));
});

describe('gunicorn-live run -w 2: what /api/servers says, per-worker CPU, and SIGTERM', () => {
  let cli: CliProcess;
  let base: string;
  let token: string;
  let appPort: number;
  let startedAt: number;
  const servers = () => apiServers(base, token);
  const sampled = () => until(async () => (await servers()).find((s) => s.workers.length === 2 &&
    s.master?.cpuPercent != null && s.workers.every((w) => w.cpuPercent !== null)), 'two workers with a CPU reading');

  before(async () => {
    startedAt = Date.now() / 1000;
    appPort = await freePort();
    cli = startCli(['run', '--port', '0', '--', '-w', '2', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app']);
    const [, url, t] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{32})$/m);
    base = url;
    token = t;
  });
  after(async () => {
    if (cli) await stopCli(cli);
  });

  test('app, bind, worker class, each worker\'s boot time and one spawn event per worker', async () => {
    const server = await sampled();
    assert.equal(server.app, 'work:app');
    assert.deepEqual(server.bind, [`127.0.0.1:${appPort}`]);
    assert.equal(server.workerClass, 'sync');
    const pids = server.workers.map((w) => w.pid).sort((a, b) => a - b);
    assert.deepEqual(pids, childrenOf(server.masterPid));
    const now = Date.now() / 1000;
    for (const w of server.workers) {
      assert.ok(w.bootedAt >= startedAt && w.bootedAt <= now, `worker ${w.pid} booted at ${w.bootedAt}, not in [${startedAt}, ${now}]`);
    }
    const spawns = server.events.filter((e) => e.type === 'worker_spawn');
    assert.deepEqual(spawns.map((e) => e.pid).sort((a, b) => a - b), pids);
    for (const e of spawns) assert.equal(e.at, server.workers.find((w) => w.pid === e.pid)!.bootedAt);
  });

  test('CPU burnt in one worker is that worker\'s: over 30 % there, under 10 % in the idle worker and the master', async () => {
    await sampled();
    const seen = new Map<number, ServerView>(); // by sample time
    const burnStart = Date.now() / 1000;
    const burn = getBody(appPort, '/burn?s=4'); // 4 s of that worker's CPU; answers its pid
    let done = false;
    const settle = () => (done = true);
    burn.then(settle, settle);
    while (!done) {
      const [s] = await servers();
      if (s.lastSampleAt !== null) seen.set(s.lastSampleAt, s);
      await new Promise((r) => setTimeout(r, 200));
    }
    const burnEnd = Date.now() / 1000;
    const answer = await burn;
    assert.equal(answer.status, 200);
    const burner = Number(answer.body);
    // Samples whose whole interval lies inside the burn: it starts after the sample seen before it.
    const times = [...seen.keys()].sort((a, b) => a - b);
    const inside = times.filter((at, i) => i > 0 && times[i - 1] >= burnStart + 0.2 && at <= burnEnd).map((at) => seen.get(at)!);
    assert.ok(inside.length >= 1, `no sample inside the burn (${burnStart}–${burnEnd}): ${[...seen.keys()].join()}`);
    const table = inside.map((s) => `${s.lastSampleAt}: ${s.workers.map((w) => `${w.pid}=${w.cpuPercent}`).join(' ')} master=${s.master?.cpuPercent}`).join('\n');
    for (const s of inside) {
      const busy = s.workers.find((w) => w.pid === burner);
      const idle = s.workers.find((w) => w.pid !== burner);
      assert.ok(busy && idle && s.master, table);
      assert.ok(busy.cpuPercent! > 30, `burning worker ${burner} under 30 %:\n${table}`);
      assert.ok(idle.cpuPercent! < 10, `idle worker ${idle.pid} at 10 % or more:\n${table}`);
      assert.ok(s.master.cpuPercent! < 10, `master at 10 % or more:\n${table}`);
    }
  });

  test('SIGTERM stops Gunicorn gracefully, then the hub; the CLI exits with Gunicorn’s status', () =>
    stopsGracefully(cli, base, appPort, servers, 'SIGTERM'));
});

describe('gunicorn-live run with no -c, in a folder holding gunicorn.conf.py, and --token', () => {
  test("that file is the user's config (its workers and hook apply), and --token beats GUNICORN_LIVE_TOKEN", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-default-conf-'));
    const markers = mkdtempSync(join(tmpdir(), 'gl-hooks-'));
    // Gunicorn's own default: ./gunicorn.conf.py, here with 3 workers (the cli_user.conf.py hook included).
    copyFileSync(join(APPS, 'cli_user.conf.py'), join(dir, 'gunicorn.conf.py'));
    writeFileSync(join(dir, 'gunicorn.conf.py'), readFileSync(join(dir, 'gunicorn.conf.py'), 'utf8').replace('workers = 2', 'workers = 3'));
    const appPort = await freePort();
    const flagToken = 'from-the-flag-0123456789abcdef';
    const cli = startCli(['run', '--port', '0', '--token', flagToken, '--', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app'],
      { cwd: dir, env: { HOOK_MARKER_DIR: markers, GUNICORN_LIVE_TOKEN: 'from-the-environment-0123456789' } });
    try {
      const [, base] = await cli.line(new RegExp(`^dashboard: (http://127\\.0\\.0\\.1:\\d+)/#token=${flagToken}$`, 'm'));
      const server = await until(async () => (await apiServers(base, flagToken)).find((s) => s.workers.length === 3), 'three workers');
      assert.equal(server.targetWorkers, 3);
      const pids = server.workers.map((w) => w.pid).sort((a, b) => a - b);
      assert.deepEqual(pids, childrenOf(server.masterPid));
      await until(() => readdirSync(markers).length === 3, 'the hook in each worker');
      assert.deepEqual(readdirSync(markers).map((f) => Number(f.split('.')[1])).sort((a, b) => a - b), pids);
      assert.equal((await fetch(`${base}/api/servers`, { headers: { Authorization: 'Bearer from-the-environment-0123456789' } })).status, 401);
    } finally {
      assert.deepEqual(await stopCli(cli), { code: 0, signal: null });
    }
  });
});

