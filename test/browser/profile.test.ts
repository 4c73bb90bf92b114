// The dashboard's Profile view on a live server, end to end: `gunicorn-live run` (real Debian Gunicorn,
// the real agent with its profiler, the real hub) on test/apps/profile_app.py, whose /cpu burns the CPU
// in burn_cpu and /sleep waits in sleep_wait. After real requests, the routes table's row opens the
// Profile view on GET /cpu: the flame graph is drawn, the top-functions table puts burn_cpu first, hovering
// its box names its file:line, another route shows other functions, the exports hold exactly the
// samples the view shows — and with GUNICORN_LIVE_PROFILE=off the view says the profiler is off.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openPage, type WatchedPage } from './chromium';
import { APPS, freePort, get, ROOT, startAttached, startCli, until, type RunningCli } from './live';
import { assertClean, hook, livePids } from './pageFacts';

const OUTPUT = join(ROOT, 'test-output');
const APP_FILE = join(APPS, 'profile_app.py');
const SOURCE = readFileSync(APP_FILE, 'utf8').split('\n');
/** burn_cpu's lines, from its def to its return: a sample's line is the one being run. */
const BURN = [SOURCE.findIndex((l) => l.startsWith('def burn_cpu')) + 1, SOURCE.findIndex((l) => l === '    return n') + 1];

interface ProfileFacts { state: string; samples: number; framesDrawn: number; topFunction: string | null; zoom: string | null; query: string; answers: number; hz: number | null }
const facts = (page: Page) => hook<ProfileFacts>(page, 'profile()');
const routeOf = (f: ProfileFacts) => (JSON.parse(f.query || '{}') as { route?: string; mode?: string });

/** The view's answer for `route` (and mode), drawn. */
async function shown(page: Page, route: string | undefined, what: (f: ProfileFacts) => boolean = () => true, mode = 'wall'): Promise<ProfileFacts> {
  return until(async () => {
    const f = await facts(page);
    const q = routeOf(f);
    return f && q.route === route && q.mode === mode && what(f) ? f : null;
  }, `the profile of ${route ?? 'all routes'} (${mode})`, 20_000);
}

/** Pixels of the canvas that are not the cleared background. */
const paintedPixels = (page: Page) => page.evaluate<number>(`(() => {
  const c = document.getElementById('flame-canvas');
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
  return n;
})()`);

describe('the Profile view of `gunicorn-live run`', () => {
  let cli: RunningCli;
  let appPort: number;
  let watched: WatchedPage;
  let page: Page;

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    appPort = await freePort();
    // 97 Hz rather than the default 29: enough samples for the view's figures within a few seconds of load.
    cli = await startCli(['-w', '2', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'profile_app:app'], { GUNICORN_LIVE_PROFILE_HZ: '97' });
    watched = await openPage({ colorScheme: 'dark' });
    page = watched.page;
  });

  after(async () => {
    await watched?.close();
    await cli?.stop();
  });

  test('a route row opens its flame graph: burn_cpu first, hover gives its file:line, another route shows other code', async () => {
    await page.goto(cli.dashboardUrl);
    await until(async () => (await livePids(page)).length === 2, 'two workers in the table');
    // Two workers, four requests each way: ~3 s of burn_cpu and ~2 s of sleep_wait per worker.
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map(() => get(appPort, '/cpu?s=1.5'))), [200, 200, 200, 200]);
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map(() => get(appPort, '/sleep?s=1'))), [200, 200, 200, 200]);

    const profileButton = page.locator('#routes-table tr[data-route="GET /cpu"] button[aria-label="Profile GET /cpu"]');
    await profileButton.waitFor({ timeout: 15_000 });
    assert.equal(await page.getAttribute('#tab-profile', 'aria-selected'), 'false');
    await profileButton.click();
    assert.equal(await page.getAttribute('#tab-profile', 'aria-selected'), 'true');
    assert.ok(await page.isHidden('#overview'));
    assert.equal(await page.locator('#profile-view').getAttribute('aria-labelledby'), 'tab-profile');
    assert.equal(await page.getByRole('tab', { name: 'Profile' }).count(), 1);

    // Samples reach the hub in the agent's next profile frame: wait for ~2 s of them (97 Hz).
    const cpu = await shown(page, 'GET /cpu', (f) => f.state === 'ready' && f.samples >= 200 && f.framesDrawn > 0);
    assert.equal(cpu.topFunction, 'burn_cpu');
    assert.equal(await page.inputValue('#profile-route'), 'GET /cpu');
    assert.ok(cpu.framesDrawn >= 3, `frames drawn: ${cpu.framesDrawn}`);
    assert.ok((await paintedPixels(page)) > 1000, 'the canvas is painted');
    const first = page.locator('#top-functions tbody tr').first();
    assert.equal(await first.getAttribute('data-function'), 'burn_cpu');
    const where = (await first.locator('.frame-path').textContent())!;
    const line = Number(where.slice(APP_FILE.length + 1));
    assert.ok(where.startsWith(`${APP_FILE}:`) && line >= BURN[0]! && line <= BURN[1]!, where);
    // Self share of burn_cpu on its own route: nearly every sample (the rest is Gunicorn around it).
    const selfShare = parseFloat((await first.locator('td[data-col="self"]').textContent())!);
    assert.ok(selfShare > 80 && selfShare <= 100, `burn_cpu self ${selfShare} %`);
    assert.match((await page.textContent('#profile-status'))!, new RegExp(`^${cpu.samples.toLocaleString('en-US')} samples \\(\\d+\\.\\d s of thread time at 97 Hz\\) · GET /cpu · all workers · wall time · last 5 min$`));

    // Hovering burn_cpu's box: its function, file:line, samples and shares.
    const box = (await hook<{ x: number; y: number; w: number } | null>(page, 'profileBox("burn_cpu")'))!;
    const canvas = (await page.locator('#flame-canvas').boundingBox())!;
    await page.mouse.move(canvas.x + box.x, canvas.y + box.y);
    const tooltip = page.locator('#flame-tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: 2_000 });
    assert.equal(await tooltip.locator('.tip-fn').textContent(), 'burn_cpu');
    const tipWhere = (await tooltip.locator('.tip-where').textContent())!;
    const tipLine = Number(tipWhere.slice(APP_FILE.length + 1));
    assert.ok(tipWhere.startsWith(`${APP_FILE}:`) && tipLine >= BURN[0]! && tipLine <= BURN[1]!, tipWhere);
    assert.match((await tooltip.locator('.tip-samples').textContent())!, /^[\d,]+ samples · \d+\.\d\d s · \d+\.\d % of total$/);
    assert.match((await tooltip.locator('.tip-self').textContent())!, /^self [\d,]+ · \d+\.\d %$/);
    assert.equal(await tooltip.locator('.tip-kind').textContent(), 'your code');
    await page.screenshot({ path: join(OUTPUT, 'profile-dark.png') });

    // Search: burn_cpu's frames light up, and nearly all samples pass through them.
    await page.fill('#profile-search', 'burn_cpu');
    const found = (await page.textContent('#profile-status'))!.match(/^(\d+) frames? match “burn_cpu” · (\d+\.\d) % of samples pass through them$/);
    assert.ok(found && Number(found[1]) >= 1 && Number(found[2]) > 80, await page.textContent('#profile-status') ?? '');
    await page.fill('#profile-search', '');

    // A click zooms into the frame; live answers keep the zoom; Reset zoom goes back out.
    await page.mouse.click(canvas.x + box.x, canvas.y + box.y);
    assert.equal((await facts(page)).zoom, 'burn_cpu');
    assert.equal(await page.isDisabled('#profile-reset-zoom'), false);
    const answers = (await facts(page)).answers;
    await until(async () => (await facts(page)).answers >= answers + 2, 'two more live answers', 10_000);
    assert.equal((await facts(page)).zoom, 'burn_cpu');
    await page.click('#profile-reset-zoom');
    assert.equal((await facts(page)).zoom, null);

    // Another route: other code, and no burn_cpu at all.
    await page.selectOption('#profile-route', 'GET /sleep');
    const sleep = await shown(page, 'GET /sleep', (f) => f.state === 'ready');
    assert.equal(sleep.topFunction, 'sleep_wait');
    assert.equal(await hook(page, 'profileBox("burn_cpu")'), null);
    assert.notEqual(sleep.samples, cpu.samples);
    // On CPU, a sleeping request has (almost) no samples.
    await page.click('#profile-mode-cpu');
    const sleepCpu = await shown(page, 'GET /sleep', (f) => f.state !== 'loading', 'cpu');
    assert.ok(sleepCpu.samples < sleep.samples / 10, `on CPU ${sleepCpu.samples} of ${sleep.samples} wall samples`);
    if (sleepCpu.samples === 0) {
      assert.equal(sleepCpu.state, 'no-match');
      assert.match((await page.textContent('#profile-message'))!, /^No samples for GET \/sleep · all workers in the last 5 min\./);
    }
    await page.click('#profile-mode-wall');
    assertClean(watched);
  });

  test('export: speedscope JSON and collapsed stacks hold exactly the samples the view shows', async () => {
    await page.selectOption('#profile-route', 'GET /cpu');
    // No traffic now: the route's samples hold still within the 5 min window.
    const view = await shown(page, 'GET /cpu', (f) => f.state === 'ready');
    await until(async () => (await facts(page)).samples === view.samples && (await facts(page)).answers > view.answers, 'a steady count');
    const [speedscopeDownload] = await Promise.all([page.waitForEvent('download'), page.click('#profile-export-speedscope')]);
    assert.match(speedscopeDownload.suggestedFilename(), /^[A-Za-z0-9_-]+-GET_cpu-wall-300s\.speedscope\.json$/);
    const file = JSON.parse(readFileSync((await speedscopeDownload.path())!, 'utf8'));
    assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
    const [profile] = file.profiles;
    assert.equal(profile.type, 'sampled');
    assert.equal(profile.unit, 'seconds');
    assert.equal(profile.samples.length, profile.weights.length);
    const weights = profile.weights.reduce((a: number, b: number) => a + b, 0);
    assert.equal(Math.round(weights * view.hz!), view.samples);
    assert.ok(file.shared.frames.some((f: { name: string; file: string }) => f.name === 'burn_cpu' && f.file === APP_FILE));

    const [collapsedDownload] = await Promise.all([page.waitForEvent('download'), page.click('#profile-export-collapsed')]);
    const lines = readFileSync((await collapsedDownload.path())!, 'utf8').trim().split('\n');
    assert.equal(lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0), view.samples);
    assert.ok(lines.every((l) => / \d+$/.test(l)) && lines.some((l) => l.includes(`burn_cpu (${APP_FILE}:`)));
    assertClean(watched);
  });

  test('light theme: the same view, screenshot for the docs', async () => {
    const light = await openPage({ colorScheme: 'light' });
    try {
      await light.page.goto(cli.dashboardUrl);
      await light.page.locator('#routes-table tr[data-route="GET /cpu"] button.icon-button').click();
      await shown(light.page, 'GET /cpu', (f) => f.state === 'ready' && f.framesDrawn > 0);
      await light.page.screenshot({ path: join(OUTPUT, 'profile-light.png') });
      // Back to the overview: the charts still draw.
      await light.page.getByRole('tab', { name: 'Overview' }).click();
      await until(async () => !(await hook<boolean>(light.page, 'chartsPending')), 'the charts to draw');
      assertClean(light);
    } finally {
      await light.close();
    }
  });

  test('a server whose profiler is off says so', async () => {
    const port = await freePort();
    process.env.GUNICORN_LIVE_PROFILE = 'off';
    const second = startAttached(cli.dashboardUrl, ['-w', '1', '--bind', `127.0.0.1:${port}`, 'profile_app:app']);
    delete process.env.GUNICORN_LIVE_PROFILE;
    try {
      await page.locator('label.picker:not([hidden])').waitFor({ timeout: 20_000 });
      await page.click('#server-picker');
      await page.getByRole('option', { name: new RegExp(`master ${second.child.pid}\\b`) }).click();
      const off = await shown(page, undefined, (f) => f.state === 'off');
      assert.equal(off.samples, 0);
      assert.match((await page.textContent('#profile-message'))!, /^The profiler is off for this server: its agent runs with GUNICORN_LIVE_PROFILE=off/);
      assert.ok(await page.isHidden('.flame-box'));
      assertClean(watched);
    } finally {
      await second.stop();
    }
  });
});
