// The longer time windows show the history the hub holds: a dashboard gets the last 5 minutes in its
// snapshot and the rest in slices (extension/hub/uiFeed.ts). A real hub holding 15 minutes of 1 Hz
// samples for one server, the real dashboard in Chromium: the 15-minute window's charts must hold every
// one of them (they held only the snapshot's 5 minutes while the page dropped the slices).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHub, type Hub } from '../../extension/hub/hub';
import type { HelloFrame, SampleFrame } from '../../extension/protocol/agent';
import { openPage, type WatchedPage } from './chromium';
import { ROOT, until } from './live';
import { assertClean, hook, type Charts } from './pageFacts';

const SECONDS = 900;
const hello: HelloFrame = {
  type: 'hello', protocol: '1.0', agent: { version: '0', python: '3.11', gunicorn: '20.1.0' },
  server: { masterPid: 4242, host: 'h', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 'history',
    startedAt: 0, targetWorkers: 2, interval: 1, durationBuckets: [0.5] },
};
const sample = (seq: number, at: number): SampleFrame => ({
  type: 'sample', seq, at, master: { pid: 4242, cpuPercent: 0, rssBytes: 1 << 20 }, targetWorkers: 2,
  workers: [2, 3].map((pid) => ({ pid, age: pid - 1, bootedAt: at - seq, cpuPercent: 1, rssBytes: 30 << 20, requests: seq })),
  requests: [{ method: 'GET', route: '/', status: 200, count: 2, durationSum: 0.01, buckets: [2, 0], responseBytes: 12 }],
});

let hub: Hub;
let watched: WatchedPage;
let firstAt: number;

before(async () => {
  hub = await startHub({ port: 0, staticDir: join(ROOT, 'dist', 'webview'), otelEnv: null, log: () => undefined });
  const id = hub.store.connect(hello);
  firstAt = Math.floor(Date.now() / 1000) - SECONDS + 1;
  for (let i = 0; i < SECONDS; i++) hub.store.sample(id, sample(i, firstAt + i));
  watched = await openPage();
});

after(async () => {
  await watched?.close();
  await hub?.close();
});

test('the 15-minute window shows all 15 minutes the hub holds, not only the snapshot\'s 5', async () => {
  const { page } = watched;
  await page.goto(hub.dashboardUrl);
  const total = async () => (await hook<Charts>(page, 'charts()')).rps.find((s) => s.label === 'all workers')?.points ?? 0;
  // The default 5-minute window: the charts hold its points only.
  await until(async () => (await total()) > 0 && !(await hook<boolean>(page, 'chartsPending')), 'the charts to draw');
  assert.ok(await total() <= 302, `the 5-minute window holds ~300 points (${await total()})`);
  await page.click('vscode-button[data-window="900"]');
  assert.equal(await page.getAttribute('vscode-button[data-window="900"]', 'aria-pressed'), 'true');
  await until(async () => (await total()) === SECONDS && !(await hook<boolean>(page, 'chartsPending')),
    `all ${SECONDS} points in the requests chart`, 30_000).catch(async (err: Error) => {
    throw new Error(`${err.message}; it holds ${await total()}`);
  });
  const charts = await hook<Charts>(page, 'charts()');
  assert.deepEqual(charts.cpu.map((s) => s.points), [SECONDS, SECONDS], 'each worker\'s CPU series, every sample once');
  assertClean(watched);
});
