// The browser dashboard on a live server, end to end: `gunicorn-live run -- -w 2 --timeout 2 …` (real
// Debian Gunicorn, the real agent, the real hub) opened in Debian's Chromium at the URL the CLI printed.
// Real HTTP requests go to the app; every chart must hold points, the tables must show exactly what was
// sent, the signal buttons must show their ack and then their effect on the real master, a timed-out
// worker's stack must show — with no CSP violation and no page error anywhere.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { openPage, type WatchedPage } from './chromium';
import { APPS, childrenOf, freePort, get, ROOT, startAttached, startCli, until, type RunningCli } from './live';
import { assertClean, cell, command, hook, livePids, routeCells, rowPids, sorted, type Charts } from './pageFacts';

const OUTPUT = join(ROOT, 'test-output');
/** Points every worker series must hold: samples come at 1 Hz, so a few seconds of live data. */
const MIN_POINTS = 8;
/** Sent in batches of six: three /hello, two /work, one /missing (404). */
const BATCH = ['/hello', '/work', '/hello', '/missing', '/hello', '/work'];
const BATCHES = 10;

describe('browser dashboard of `gunicorn-live run`', () => {
  let cli: RunningCli;
  let appPort: number;
  let watched: WatchedPage;
  let page: Page;
  let masterPid: number;

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    appPort = await freePort();
    // A request is stuck after 1 s: the one the master times out after 2 s is reported stuck first.
    cli = await startCli(['-w', '2', '--timeout', '2', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app'],
      { GUNICORN_LIVE_STUCK_AFTER: '1' });
    watched = await openPage({ colorScheme: 'dark' });
    page = watched.page;
  });

  after(async () => {
    await watched?.close();
    await cli?.stop();
  });

  test('every chart, both workers, the routes and every request, live', async () => {
    await page.goto(cli.dashboardUrl);
    const tablePids = await until(async () => {
      const pids = await livePids(page);
      return pids.length === 2 ? pids : null;
    }, 'two workers in the table');
    masterPid = Number((await page.textContent('dd[data-field="Master"]'))!.replace('pid ', ''));
    assert.deepEqual(tablePids, childrenOf(masterPid));

    // Real requests, in small concurrent batches, spread over a few seconds so several samples see them.
    for (let b = 0; b < BATCHES; b++) {
      const statuses = await Promise.all(BATCH.map((path) => get(appPort, path)));
      assert.deepEqual(statuses, BATCH.map((path) => (path === '/missing' ? 404 : 200)));
      await new Promise((r) => setTimeout(r, 300));
    }
    const sent = BATCHES * BATCH.length;
    await until(async () => (await page.textContent('#kpi-requests')) === String(sent), `"${sent}" in the Requests card`);

    const charts = await until(async () => {
      const c = await hook<Charts>(page, 'charts()');
      const perWorker = [...c.cpu, ...c.memory, ...c.rps];
      return perWorker.length > 0 && perWorker.every((s) => s.points >= MIN_POINTS) && c.latency.length === 3 ? c : null;
    }, `${MIN_POINTS} points in every worker series, and latency`);
    const pidLabels = tablePids.map((pid) => `pid ${pid}`);
    const labels = (name: keyof Charts) => charts[name].map((s) => s.label).sort();
    assert.deepEqual(labels('cpu'), pidLabels);
    assert.deepEqual(labels('memory'), tablePids.flatMap((pid) => [`pid ${pid} PSS`, `pid ${pid} RSS`]));
    assert.deepEqual(labels('rps'), ['all workers', ...pidLabels]);
    assert.deepEqual(labels('latency'), ['p50', 'p95', 'p99']);
    assert.deepEqual(labels('status'), ['2xx', '3xx', '4xx', '5xx']);
    assert.deepEqual(labels('saturation'), ['busy', 'live workers']);
    const series = (name: keyof Charts, label: string) => charts[name].find((s) => s.label === label)!;
    assert.ok(series('rps', 'all workers').max > 0, 'requests/s went above zero');
    // RSS of a Python worker is tens of MiB; PSS, shared pages split, is less.
    for (const pid of tablePids) {
      const rss = series('memory', `pid ${pid} RSS`).last!;
      const pss = series('memory', `pid ${pid} PSS`).last!;
      assert.ok(rss > 5 && rss < 2048 && pss > 0 && pss <= rss, `pid ${pid}: RSS ${rss} MiB, PSS ${pss} MiB`);
    }
    assert.ok(series('status', '2xx').max > 0 && series('status', '4xx').max > 0, 'the 2xx and 4xx areas hold the requests sent');
    assert.equal(series('status', '3xx').max, 0);
    assert.equal(series('status', '5xx').max, 0);
    const p50 = series('latency', 'p50');
    assert.ok(p50.max > 0 && series('latency', 'p99').max >= p50.max, 'latency percentiles are ordered and non-zero');
    assert.equal(series('saturation', 'live workers').last, 2);

    // Routes: exactly what was sent, busiest first, no errors (a 404 is the client's).
    await until(async () => (await routeCells(page, 'count')).length === 3, 'three routes');
    assert.deepEqual(await routeCells(page, 'count'), [['GET /hello', '30'], ['GET /work', '20'], ['GET /missing', '10']]);
    assert.deepEqual((await routeCells(page, 'errors')).map(([, v]) => v), ['0', '0', '0']);

    assert.equal(await hook<string>(page, 'connection'), 'connected');
    assert.equal(await page.getAttribute('#state-banner', 'hidden'), '');
    await until(async () => !(await hook<boolean>(page, 'chartsPending')), 'the charts to draw');
    assertClean(watched);
    console.log(`points: ${JSON.stringify(Object.fromEntries(Object.entries(charts).map(([k, v]) => [k, v.map((s) => s.points)])))}`);
  });

  test('routes sort by any column, from the keyboard too', async () => {
    const header = (label: string) => page.locator('#routes-table th button.sort', { hasText: label });
    const order = async () => (await routeCells(page, 'count')).map(([route]) => route);
    await header('Route').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await order(), ['GET /hello', 'GET /missing', 'GET /work']);
    assert.equal(await page.getAttribute('#routes-table th:has(button:text("Route"))', 'aria-sort'), 'ascending');
    await page.keyboard.press('Enter');
    assert.deepEqual(await order(), ['GET /work', 'GET /missing', 'GET /hello']);
    await header('Requests').click();
    assert.deepEqual(await order(), ['GET /hello', 'GET /work', 'GET /missing']);
    assert.equal(await page.getAttribute('#routes-table th:has(button:text("Requests"))', 'aria-sort'), 'descending');
  });

  test('time window and pause: the charts hold still while paused, then catch up', async () => {
    await page.click('vscode-button[data-window="60"]');
    assert.equal(await page.getAttribute('vscode-button[data-window="60"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('vscode-button[data-window="300"]', 'aria-pressed'), 'false');
    await page.click('#pause');
    await page.locator('#state-banner', { hasText: 'Paused' }).waitFor({ timeout: 5_000 });
    assert.equal((await page.textContent('#pause'))!.trim(), 'Resume');
    const frozen = await hook<number>(page, 'pointsReceived');
    const messages = await hook<number>(page, 'messagesReceived');
    await until(async () => (await hook<number>(page, 'messagesReceived')) >= messages + 2, 'two more updates while paused');
    assert.equal(await hook<number>(page, 'pointsReceived'), frozen);
    await page.click('#pause');
    await until(async () => (await hook<number>(page, 'pointsReceived')) > frozen, 'the charts catching up');
    assert.ok(await page.isHidden('#state-banner'));
    await page.click('vscode-button[data-window="300"]');
  });

  test('Reload sends HUP: the ack shows, then the new pids appear and the old fade out', async () => {
    const oldPids = await livePids(page);
    const log = await command(page, 'HUP');
    assert.equal(log[0], 'Reload (HUP): sent…');
    assert.ok(log.some((t) => t.startsWith('Reload (HUP): acknowledged')), log.join(' | '));
    const newPids = childrenOf(masterPid);
    assert.equal(newPids.length, 2);
    assert.ok(newPids.every((pid) => !oldPids.includes(pid)), 'new workers replaced the old');
    assert.match(log[log.length - 1]!, /^Reload \(HUP\): done — 2 new workers \((\d+), (\d+)\), 2 of 2 old exited$/);
    assert.deepEqual(sorted(log[log.length - 1]!.match(/\((\d+), (\d+)\)/)!.slice(1).map(Number)), newPids);
    assert.deepEqual(await livePids(page), newPids);
    // The old workers stay a moment, struck through, with the reason they went.
    assert.deepEqual(await rowPids(page, '#workers-table tbody tr.exited'), oldPids);
    for (const pid of oldPids) assert.equal(await cell(page, pid, 'state'), 'exited: reload');
    assert.ok(await page.isVisible('#events-list li.event-signal[data-signal="SIGHUP"]'), 'the SIGHUP event is listed');
    const markers = await hook<Record<string, number>>(page, 'markers()');
    assert.ok(markers.signal! >= 1 && markers.spawn! >= 4 && markers.exit! >= 2, JSON.stringify(markers));
    assertClean(watched);
    // Each new worker's slot says how its predecessor went (the SIGTERM Gunicorn sends the old ones, if the agent names it).
    let lastExits: Array<string | null> = [];
    await until(async () => (lastExits = await Promise.all(newPids.map((pid) => cell(page, pid, 'lastExit')))).every((t) => /^reload( \(SIGTERM\))?$/.test(t ?? '')),
      'last exit "reload" on both new workers', 5_000).catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(lastExits)}`));
    // The master's reload count, as the agent reports it.
    await until(async () => /· 1 reload$/.test(await page.innerText('[data-kpi="workers"] .kpi-note')), 'the reload count', 5_000);
  });

  test('Add worker (TTIN) and Remove worker (TTOU): ack, then one pid more, then one less', async () => {
    const before = await livePids(page);
    const added = await command(page, 'TTIN');
    const withNew = childrenOf(masterPid);
    const fresh = withNew.filter((pid) => !before.includes(pid));
    assert.equal(fresh.length, 1);
    assert.equal(added[added.length - 1], `Add worker (TTIN): done — worker ${fresh[0]} added`);
    assert.deepEqual(await livePids(page), withNew);
    assert.equal(await cell(page, fresh[0]!, 'lastExit'), 'none');

    const removed = await command(page, 'TTOU');
    const after = childrenOf(masterPid);
    const gone = withNew.filter((pid) => !after.includes(pid));
    assert.equal(gone.length, 1);
    assert.equal(removed[removed.length - 1], `Remove worker (TTOU): done — worker ${gone[0]} stopped`);
    await until(async () => (await cell(page, gone[0]!, 'state')) === 'exited: scale down', 'the scale-down row');
    assert.deepEqual(await livePids(page), after);
  });

  test('a worker the master times out shows the stack it was stuck in', async () => {
    const line = readFileSync(join(APPS, 'work.py'), 'utf8').split('\n').findIndex((l) => l.includes('time.sleep(10)')) + 1;
    const sleeping = get(appPort, '/sleep');
    // While it hangs, its worker's row says what it is doing and for how long.
    const inFlight = await until(async () => {
      const rows = await page.$$eval('#workers-table tbody tr[data-pid]:not(.exited)', (trs) => trs.map((tr) =>
        ['state', 'inFlight', 'elapsed'].map((c) => tr.querySelector(`td[data-col="${c}"]`)!.textContent)));
      return rows.find(([, flight]) => flight === 'GET /sleep');
    }, 'GET /sleep in flight', 8_000);
    assert.equal(inFlight[0], 'busy');
    assert.match(inFlight[2]!, /^\d+(\.\d+)? (ms|s)$/);
    // After 1 s it is reported stuck, with the stack it is stuck in, before any timeout.
    const stuck = page.locator('#events-list li.event-stuck[data-route="/sleep"]').first();
    await stuck.waitFor({ timeout: 10_000 });
    const stuckPid = Number(await stuck.getAttribute('data-pid'));
    assert.equal(await stuck.locator('.event-text').textContent(), `Request stuck in worker ${stuckPid}: GET /sleep, running 1 s`);
    const stuckFrames = await stuck.locator('.frames .frame').allTextContents();
    assert.equal(stuckFrames.at(-1), `${join(APPS, 'work.py')}:${line} in slow`, stuckFrames.join('\n'));
    assert.equal(await stuck.locator('details.stack > summary').textContent(), `Stack of the request after 1 s (${stuckFrames.length} frames)`);
    // The master aborts the worker after --timeout 2: the connection drops with no answer.
    assert.equal(await sleeping, 0);
    const exit = page.locator('#events-list li.event-exit[data-reason="timeout"]').first();
    await exit.waitFor({ timeout: 15_000 });
    const pid = Number(await exit.getAttribute('data-pid'));
    assert.equal(pid, stuckPid, 'the stuck request is the one timed out');
    assert.match((await exit.locator('.event-text').textContent())!, new RegExp(`^Worker ${pid} exited: timeout`));
    // In the browser a frame is its path and line as text (VS Code makes it a button that opens the file).
    const frames = await until(async () => {
      const texts = await exit.locator('.frames .frame').allTextContents();
      return texts.length > 0 ? texts : null;
    }, 'the stack frames of the timeout', 5_000);
    assert.ok(frames.includes(`${join(APPS, 'work.py')}:${line} in slow`), frames.join('\n'));
    assert.equal(await exit.locator('button.frame-link').count(), 0);
    assert.equal(await exit.locator('details.stack').getAttribute('open'), '');
    // The worker that replaced it carries the cause in its row; the charts carry a marker.
    await until(async () => {
      for (const p of await livePids(page)) if ((await cell(page, p, 'lastExit'))?.startsWith('timeout')) return true;
      return false;
    }, 'a worker whose last exit is "timeout"', 15_000);
    assert.ok((await hook<Record<string, number>>(page, 'markers()'))['bad-exit']! >= 1);
    assert.ok((await hook<Record<string, number>>(page, 'markers()')).stuck! >= 1);
    await until(async () => !(await hook<boolean>(page, 'chartsPending')), 'the charts to draw');
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    assertClean(watched);
  });

  test('an exception that fails requests is listed once per distinct one, with its count and traceback', async () => {
    const line = readFileSync(join(APPS, 'work.py'), 'utf8').split('\n').findIndex((l) => l.includes('raise RuntimeError("boom on purpose")')) + 1;
    for (let i = 0; i < 3; i++) assert.equal(await get(appPort, '/raise'), 500);
    const items = page.locator('#events-list li.event-exception[data-route="/raise"]');
    // Two workers may hand theirs over on either side of a tick: then the rest is a second event, 10 s later.
    const texts = await until(async () => {
      const all = await items.locator('.event-text').allTextContents();
      const counted = all.reduce((n, t) => n + Number(/\((\d+) requests\)$/.exec(t)?.[1] ?? 1), 0);
      return counted === 3 ? all : null;
    }, 'events counting the 3 failed requests', 20_000);
    assert.ok(texts.length <= 2, texts.join('\n'));
    for (const text of texts) assert.match(text, /^RuntimeError: boom on purpose in GET \/raise( \(\d requests\))?$/);
    const frames = await items.first().locator('.frames .frame').allTextContents();
    const call = readFileSync(join(APPS, 'work.py'), 'utf8').split('\n').findIndex((l) => l.trim() === 'fail()') + 1;
    assert.deepEqual(frames.slice(-2), [`${join(APPS, 'work.py')}:${call} in app`, `${join(APPS, 'work.py')}:${line} in fail`], frames.join('\n'));
    assert.equal(await items.first().locator('details.stack > summary').textContent(), `Traceback (${frames.length} frames)`);
    assert.equal(await items.first().getAttribute('class'), 'event event-exception event-bad');
    assertClean(watched);
  });

  test('several servers: the picker switches; Stop (QUIT) asks first, then the server goes', async () => {
    const port = await freePort();
    const second = startAttached(cli.dashboardUrl, ['-w', '1', '--bind', `127.0.0.1:${port}`, 'work:app']);
    try {
      const secondPid = second.child.pid!;
      await page.locator('label.picker:not([hidden])').waitFor({ timeout: 20_000 });
      await page.click('#server-picker');
      await page.getByRole('option', { name: new RegExp(`master ${secondPid}\\b`) }).click();
      await until(async () => (await page.textContent('dd[data-field="Master"]')) === `pid ${secondPid}`, 'the second server shown');
      const workers = await until(async () => {
        const pids = await livePids(page);
        return pids.length === 1 ? pids : null;
      }, 'its one worker');
      assert.deepEqual(workers, childrenOf(secondPid));

      await page.click('vscode-button[data-signal="QUIT"]');
      assert.ok(await page.isVisible('.confirm-bar'), 'Stop asks for confirmation');
      assert.equal(await page.evaluate<string>('document.activeElement.id'), 'confirm-no');
      await page.keyboard.press('Escape');
      assert.ok(await page.isHidden('.confirm-bar'), 'Escape cancels');
      assert.equal(second.child.exitCode, null);

      const exited = new Promise((r) => second.child.once('exit', r));
      await page.click('vscode-button[data-signal="QUIT"]');
      await page.click('#confirm-yes');
      await until(async () => (await page.textContent('#control-status')) === 'Stop (QUIT): done — the server stopped', 'the stop', 30_000);
      await exited;
      assert.match((await page.textContent('#state-banner'))!, new RegExp(`The agent of master ${secondPid} is disconnected`));

      await page.click('#server-picker');
      await page.getByRole('option', { name: new RegExp(`master ${masterPid}\\b`) }).click();
      await until(async () => (await page.textContent('dd[data-field="Master"]')) === `pid ${masterPid}`, 'back to the first server');
      assertClean(watched);
    } finally {
      await second.stop();
    }
  });

  test('VS Code host: the same bundle over postMessage says ready, and a stack frame opens its file', async () => {
    // The real hub's snapshot (with the real timeout above), handed over as the extension would.
    const url = new URL(cli.dashboardUrl);
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    const snapshot = await new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(`ws://${url.host}/ws/ui?token=${token}`, { headers: { Origin: url.origin } });
      ws.once('message', (data) => {
        resolve(JSON.parse((data as Buffer).toString()));
        ws.close();
      });
      ws.once('error', reject);
    });
    const vscode = await openPage({ colorScheme: 'dark' });
    try {
      // What VS Code gives a webview: acquireVsCodeApi() and messages through window.postMessage.
      await vscode.page.addInitScript({ content: `window.__posted = [];
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => null, setState: () => {} });` });
      await vscode.page.goto(`${url.origin}/`);
      const posted = () => vscode.page.evaluate<Array<Record<string, unknown>>>('window.__posted');
      await until(async () => (await posted()).length > 0, 'the ready message');
      assert.deepEqual(await posted(), [{ type: 'ready' }]);
      assert.equal(await hook<string>(vscode.page, 'host'), 'vscode');
      await vscode.page.evaluate(`window.postMessage(${JSON.stringify(snapshot)}, '*')`);
      const frame = vscode.page.locator('#events-list li.event-exit[data-reason="timeout"] button.frame-link', { hasText: 'work.py' }).last();
      await frame.waitFor({ timeout: 10_000 });
      const [file, line] = (await frame.textContent())!.split(/:(?=\d+$)/);
      await frame.focus();
      await vscode.page.keyboard.press('Enter');
      assert.deepEqual((await posted()).at(-1), { type: 'openFile', file, line: Number(line) });
      assert.equal(file, join(APPS, 'work.py'));
      // A stuck request's frames open the same way.
      const stuckFrame = vscode.page.locator('#events-list li.event-stuck button.frame-link', { hasText: 'work.py' }).last();
      await stuckFrame.click();
      assert.deepEqual((await posted()).at(-1), { type: 'openFile', file, line: Number(line) });
      // And an exception's traceback: its innermost frame, fail()'s raise.
      const raised = vscode.page.locator('#events-list li.event-exception .frame', { hasText: 'in fail' }).last().locator('button.frame-link');
      const [raisedFile, raisedLine] = (await raised.textContent())!.split(/:(?=\d+$)/);
      await raised.click();
      assert.deepEqual((await posted()).at(-1), { type: 'openFile', file: raisedFile, line: Number(raisedLine) });
      assert.equal(raisedFile, join(APPS, 'work.py'));
      assertClean(vscode);
    } finally {
      await vscode.close();
    }
  });

  test('light and high contrast themes: same page, screenshots for the docs', async () => {
    for (const [name, options] of [['light', { colorScheme: 'light' }], ['high-contrast', { colorScheme: 'dark', contrast: 'more' }]] as const) {
      const themed = await openPage(options);
      try {
        await themed.page.goto(cli.dashboardUrl);
        await themed.page.waitForSelector('#workers-table tbody tr[data-pid]');
        await until(async () => (await hook<number>(themed.page, 'pointsReceived')) > 0 && !(await hook<boolean>(themed.page, 'chartsPending')), 'drawn charts');
        await themed.page.screenshot({ path: join(OUTPUT, `dashboard-${name}.png`), fullPage: true });
        assertClean(themed);
      } finally {
        await themed.close();
      }
    }
  });

  test('states: no token, a refused token, then the hub going away', async () => {
    const url = new URL(cli.dashboardUrl);
    const other = await openPage({ colorScheme: 'dark' });
    try {
      await other.page.goto(`${url.origin}/`);
      await other.page.locator('#state-banner', { hasText: 'opened without its access token' }).waitFor({ timeout: 5_000 });
      await other.page.goto(`${url.origin}/#token=${'0'.repeat(32)}`);
      await other.page.locator('#state-banner', { hasText: "The hub refused this page's token" }).waitFor({ timeout: 10_000 });
      assert.equal(await other.page.getAttribute('#connection-badge', 'class'), 'conn-badge conn-error');
    } finally {
      await other.close();
    }
    // The live page, when the hub stops: it says so, counts down to the next try, and dims what it shows.
    await cli.stop();
    await page.locator('#state-banner', { hasText: 'Disconnected from the hub' }).waitFor({ timeout: 10_000 });
    assert.match((await page.textContent('#state-banner'))!, /Retrying in \d+ s \(attempt \d+\)\. Charts show data up to \d\d:\d\d:\d\d\./);
    assert.equal(await page.getAttribute('#content', 'class'), 'content frozen');
    assert.deepEqual(watched.cspViolations, []);
    assert.deepEqual(watched.pageErrors, []);
  });
});
