// `gunicorn-live run` end to end: real Debian Gunicorn, the real agent, the real hub; N requests in →
// N counted, the workers are the master's real children, and their memory is their own.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { startCli, stopCli, type CliProcess } from './cliProcess';
import { childrenOf, freePort, httpGet, vmRssBytes } from './proc';

const APPS = join(__dirname, 'apps');
const N = 120;


async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gunicorn-live run with a user config', () => {
  let cli: CliProcess;
  let base: string;
  let token: string;
  let appPort: number;
  const markers = mkdtempSync(join(tmpdir(), 'gl-hooks-'));
  const servers = async (): Promise<ServerView[]> =>
    ((await (await fetch(`${base}/api/servers`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { servers: ServerView[] }).servers;

  before(async () => {
    appPort = await freePort();
    cli = startCli(['run', '--port', '0', '--', '-c', join(APPS, 'user.conf.py'), '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'hello:app'],
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

  test('Ctrl-C stops Gunicorn gracefully, then the hub; the CLI exits with Gunicorn’s status', async () => {
    const [server] = await servers();
    const { code } = await stopCli(cli);
    assert.equal(code, 0);
    assert.throws(() => readFileSync(`/proc/${server.masterPid}/status`), /ENOENT/);
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
