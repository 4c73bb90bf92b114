// Workers killed under load, seen through the real hub's /metrics: 10 × SIGKILL 1 s apart and a SIGSEGV
// while keep-alive clients run. Both the per-worker totals (live and pid="exited") and the requests by
// route add up to exactly the requests Gunicorn's access log recorded: what a dead worker had not yet
// handed over comes from its scoreboard slot, under route "(lost at worker exit)".
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childrenOf } from './proc';
import { startRealServer, type RealServer } from './realServer';
import { series, sum } from './promText';

const AGENT_APPS = join(__dirname, '..', 'apps');
const WORKERS = 4;
const KILLS = 10;
const CLIENTS = 8;
/** Each request sleeps in the app, so a kill lands there rather than in the microseconds between Gunicorn's
 * access-log line and its post_request hook (a request logged there is not counted anywhere yet). */
const PATHS = [200, 200, 201, 302, 404, 200, 503].map((status) => `/answer?status=${status}&s=0.02`);
const LOST_ROUTE = '(lost at worker exit)';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One GET on a keep-alive agent; resolves with the status, or null when the worker died under it. */
function get(port: number, path: string, agent: import('node:http').Agent): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe('workers killed under load: /metrics adds up to the access log', () => {
  let server: RealServer;
  const folder = mkdtempSync(join(tmpdir(), 'killed-workers-'));
  const accessLog = join(folder, 'access.log');
  before(async () => {
    server = await startRealServer(['--chdir', AGENT_APPS, '-w', String(WORKERS), '--access-logfile', accessLog,
      '--access-logformat', '%(s)s', 'app:app']);
    await server.waitFor((s) => s.workers.length === WORKERS && s.workers.every((w) => w.rssBytes !== null), `${WORKERS} workers`);
  });
  after(async () => {
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test(`${KILLS} × kill -9 and a SIGSEGV: Σ per-worker totals and Σ requests equal the access log`, async () => {
    const { Agent } = await import('node:http');
    let running = true;
    const clients = Array.from({ length: CLIENTS }, async (_, n) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = n; running; i++) await get(server.appPort, PATHS[i % PATHS.length], agent);
      agent.destroy();
    });
    const [s] = server.hub.store.servers();
    const master = s.masterPid;
    const killed = new Map<number, string>();
    try {
      await sleep(1500);
      for (let n = 0; n <= KILLS; n++) {
        const signal = n < KILLS ? 'SIGKILL' : 'SIGSEGV';
        const victim = Math.min(...childrenOf(master).filter((pid) => !killed.has(pid)));
        process.kill(victim, signal);
        killed.set(victim, signal);
        await sleep(1000);
      }
    } finally {
      running = false;
      await Promise.all(clients);
    }
    // Gunicorn writes the access-log line just after the response: wait until no more come.
    for (let stable = 0, size = -1; stable < 3;) {
      await sleep(200);
      const now = statSync(accessLog).size;
      stable = now === size ? stable + 1 : 0;
      size = now;
    }
    const logged = readFileSync(accessLog, 'utf8').split('\n').filter(Boolean).length;
    assert.ok(logged > 500, `only ${logged} requests logged`);

    await server.waitFor((v) => v.requestsTotal >= logged && [...killed.keys()].every((pid) =>
      v.events.some((e) => e.type === 'worker_exit' && e.pid === pid)), `${logged} requests and ${killed.size} exits`, 20000)
      .catch(() => null); // the assertions below say what is missing
    await sleep(2500); // two more samples: nothing may be counted twice
    const text = await (await fetch(`${server.hub.url}/metrics`)).text();
    const requests = series(text, 'gunicorn_requests_total');
    // A request a killed worker was serving never reaches the access log (no response): it counts once, as
    // aborted (status 0), at most one per kill of a sync worker.
    const aborted = sum(series(text, 'gunicorn_requests_aborted_total'));
    assert.ok(aborted <= killed.size, `${aborted} aborted for ${killed.size} kills`);
    assert.equal(sum(requests.filter(([l]) => l.status === '0')), aborted);
    assert.deepEqual({ perWorker: sum(series(text, 'gunicorn_worker_requests_total')), requests: sum(requests) },
      { perWorker: logged + aborted, requests: logged + aborted });
    const lost = requests.filter(([l]) => l.route === LOST_ROUTE && l.status !== '0');
    assert.ok(sum(lost) > 0, 'the kills lost nothing: the test did not test');
    assert.deepEqual([...new Set(lost.map(([l]) => l.method))], ['']);
    // Served-but-unreported requests have no duration: the route's histogram holds only the aborted ones
    // that could not be named (their durations are known).
    const durations = series(text, 'gunicorn_worker_request_duration_seconds_count').filter(([l]) => l.route === LOST_ROUTE);
    assert.equal(sum(durations), sum(requests.filter(([l]) => l.route === LOST_ROUTE && l.status === '0')));

    const [view] = server.hub.store.servers();
    const exits = new Map(view.events.flatMap((e) => (e.type === 'worker_exit' ? [[e.pid, e]] : [])));
    assert.deepEqual([...killed].map(([pid]) => [exits.get(pid)?.reason, exits.get(pid)?.signal]),
      [...killed].map(([, signal]) => ['signal', signal]));
  });
});
