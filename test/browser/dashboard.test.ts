// The browser dashboard on a live server, end to end: `gunicorn-live run -- -w 2 …` (real Debian
// Gunicorn, the real agent, the real hub) opened in Debian's Chromium at the URL the CLI printed.
// Real HTTP requests go to the app; the page must show both real workers, charts that hold points,
// a non-zero request rate and exactly the requests sent — with no CSP violation and no page error.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage, type WatchedPage } from './chromium';

const ROOT = join(__dirname, '..', '..');
const OUTPUT = join(ROOT, 'test-output');
const REQUESTS = 60;
/** Points every series must hold: samples come at 1 Hz, so a few seconds of live data. */
const MIN_POINTS = 8;

interface SeriesSummary { label: string; points: number; max: number; last: number | null }
/** What window.__gunicornLive.charts() returns (webview/debugHook.ts). */
type Charts = Record<'cpu' | 'memory' | 'rps', SeriesSummary[]>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The master's real children, from /proc. */
function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids.sort((a, b) => a - b);
}

/** A token from the caller's environment would override the random one the CLI makes. */
function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { GUNICORN_LIVE_TOKEN: _ignored, ...rest } = env;
  return rest;
}

async function until<T>(fn: () => Promise<T | undefined | false | null>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('browser dashboard of `gunicorn-live run`', () => {
  let cli: ChildProcess;
  let output = '';
  let appPort: number;
  let dashboardUrl: string;
  let watched: WatchedPage;

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    appPort = await freePort();
    cli = spawn(process.execPath, [join(ROOT, 'bin', 'gunicorn-live.js'), 'run', '--port', '0', '--',
      '-w', '2', '--bind', `127.0.0.1:${appPort}`, '--chdir', join(__dirname, 'apps'), 'app:app'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: withoutToken(process.env) });
    cli.stdout!.on('data', (d) => (output += d));
    cli.stderr!.on('data', (d) => (output += d));
    dashboardUrl = await until(async () => {
      if (cli.exitCode !== null || cli.signalCode !== null) throw new Error(`the CLI exited (${cli.exitCode}):\n${output}`);
      return output.match(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)$/m)?.[1];
    }, 'the dashboard line', 20_000);
    watched = await openPage({ colorScheme: 'dark' });
  });

  after(async () => {
    await watched?.close();
    if (cli && cli.exitCode === null) {
      cli.kill('SIGINT');
      const timer = setTimeout(() => cli.kill('SIGKILL'), 30_000);
      await new Promise((r) => cli.once('exit', r));
      clearTimeout(timer);
    }
  });

  let masterPid: number;
  let firstPids: number[];

  test('shows both workers, live charts, the request rate and every request', async () => {
    const { page } = watched;
    await page.goto(dashboardUrl);

    // Both workers in the table, and they are the master's real children.
    const tablePids = await until(async () => {
      const pids = await page.$$eval('#workers-table tbody tr[data-pid]', (rows) => rows.map((r) => Number(r.getAttribute('data-pid'))));
      return pids.length === 2 ? pids.sort((a, b) => a - b) : null;
    }, 'two workers in the table');
    masterPid = Number((await page.textContent('dd[data-field="Master"]'))!.replace('pid ', ''));
    assert.deepEqual(tablePids, childrenOf(masterPid));
    firstPids = tablePids;

    // Real requests, in small concurrent batches, spread over a few seconds so several samples see them.
    for (let sent = 0; sent < REQUESTS; sent += 6) {
      const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => get(appPort, i % 2 ? '/work' : '/hello')));
      assert.deepEqual(statuses, Array(6).fill(200));
      await new Promise((r) => setTimeout(r, 300));
    }

    // The hub counted exactly what was sent, and the page says so.
    await until(async () => (await page.textContent('#kpi-requests')) === String(REQUESTS), `"${REQUESTS}" in the Requests card`);

    // Every series of every chart holds points; the request rate went above zero.
    const charts = await until(async () => {
      const c = await page.evaluate<Charts>('window.__gunicornLive.charts()');
      const all = [...c.cpu, ...c.memory, ...c.rps];
      return all.length > 0 && all.every((s) => s.points >= MIN_POINTS) ? c : null;
    }, `${MIN_POINTS} points in every series`);
    const workerLabels = tablePids.map((pid) => `pid ${pid}`);
    assert.deepEqual(charts.cpu.map((s) => s.label).sort(), workerLabels);
    assert.deepEqual(charts.memory.map((s) => s.label).sort(), workerLabels);
    assert.deepEqual(charts.rps.map((s) => s.label).sort(), ['all workers', ...workerLabels]);
    const total = charts.rps.find((s) => s.label === 'all workers')!;
    assert.ok(total.max > 0, `requests/s peaked at ${total.max}`);
    // RSS of a Python worker is tens of MiB, never zero.
    for (const s of charts.memory) assert.ok(s.last! > 5 && s.last! < 2048, `${s.label} RSS ${s.last} MiB`);
    assert.equal(await page.evaluate<string>('window.__gunicornLive.connection'), 'connected');
    const received = await page.evaluate<number>('window.__gunicornLive.pointsReceived');
    assert.ok(received >= 7 * MIN_POINTS, `${received} points received`);
    assert.equal(await page.getAttribute('#state-banner', 'hidden'), '');

    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    assert.deepEqual(watched.cspViolations, []);
    assert.deepEqual(watched.pageErrors, []);
    assert.deepEqual(watched.consoleErrors.filter((e) => !/favicon/.test(e)), []);
    console.log(`points in the charts: ${JSON.stringify(Object.fromEntries(Object.entries(charts).map(([k, v]) => [k, v.map((s) => s.points)])))}`);
  });

  test('Reload sends HUP: the ack shows, then new worker pids replace the old ones', async () => {
    const { page } = watched;
    await page.click('vscode-button[data-signal="HUP"]');
    await until(async () => (await page.textContent('#control-status')) === 'Reload (HUP): done', 'the ack of HUP');
    const livePids = () => page.$$eval('#workers-table tbody tr[data-pid]:not(.exited)',
      (rows) => rows.map((r) => Number(r.getAttribute('data-pid'))).sort((a, b) => a - b));
    const newPids = await until(async () => {
      const pids = await livePids();
      return pids.length === 2 && pids.every((pid) => !firstPids.includes(pid)) ? pids : null;
    }, 'two new workers after HUP');
    assert.deepEqual(newPids, childrenOf(masterPid));
    // The old workers stay a moment, struck through, so the restart is seen.
    const exited = await page.$$eval('#workers-table tbody tr.exited', (rows) => rows.map((r) => Number(r.getAttribute('data-pid'))).sort((a, b) => a - b));
    assert.deepEqual(exited, firstPids);
    assert.ok(await page.isVisible('#events-list li.event-signal'), 'the SIGHUP event is listed');
    assert.deepEqual(watched.cspViolations, []);
    assert.deepEqual(watched.pageErrors, []);
  });

  test('light theme: same page, screenshot for the docs', async () => {
    const light = await openPage({ colorScheme: 'light' });
    try {
      await light.page.goto(dashboardUrl);
      await light.page.waitForSelector('#workers-table tbody tr[data-pid]');
      await light.page.screenshot({ path: join(OUTPUT, 'dashboard-light.png'), fullPage: true });
      assert.deepEqual(light.cspViolations, []);
      assert.deepEqual(light.pageErrors, []);
    } finally {
      await light.close();
    }
  });
});
