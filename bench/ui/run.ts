// `npm run bench:ui`: the dashboard's render cost at capacity. The real built bundle (dist/webview) runs
// in Debian's Chromium against a synthetic hub that sends 64 workers × 15 min of 1 Hz history, then
// live updates once a second for 60 s (BENCH_LIVE_SECONDS to change), then 20 s more with the Profile view
// open on a 64-worker, 200-route profile of 5,000 distinct stacks that grows every second. Chromium's own trace (CDP
// Tracing, RunTask events of the page's main thread) gives every task's length; a PerformanceObserver
// for long tasks checks it from inside the page; the page's own timers give the cost of one update.
// Prints JSON. Target: no main-thread task over 50 ms.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { openPage } from '../../test/browser/chromium';
import { startSyntheticHub } from './syntheticHub';
import { WORKERS } from './syntheticData';

const ROOT = join(__dirname, '..', '..');
const HISTORY_SECONDS = 15 * 60;
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const TARGET_MS = 50;
/** Seconds of live updates with the Profile view open (BENCH_PROFILE_SECONDS). */
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);

/** `dur` is wall time; `tdur` the thread's CPU time in it (less when other processes had the cores). */
interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { message?: string } } }
interface Timing { count: number; totalMs: number; maxMs: number }

const round = (n: number) => Math.round(n * 100) / 100;
/** The page's own timings, rounded: how long parsing, handling and each chart's first drawing took. */
const timings = (perf: Record<string, Timing>) =>
  Object.fromEntries(Object.entries(perf).map(([k, t]) => [k, { totalMs: round(t.totalMs), maxMs: round(t.maxMs), count: t.count }]));
const hook = <T>(page: Page, expr: string) => page.evaluate<T>(`window.__gunicornLive.${expr}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`bench:ui: timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function startTrace(session: CDPSession): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  session.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await session.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] },
  });
  return async () => {
    const complete = new Promise((r) => session.once('Tracing.tracingComplete', r));
    await session.send('Tracing.end');
    await complete;
    return events;
  };
}

/** The page's main thread: the CrRendererMain that logged our phase marks. */
function mainThreadTasks(events: TraceEvent[]): { tasks: TraceEvent[]; marks: Map<string, number> } {
  const marks = new Map<string, number>();
  let pid = -1;
  let tid = -1;
  for (const e of events) {
    const message = e.name === 'TimeStamp' ? e.args?.data?.message : undefined;
    if (message?.startsWith('bench:')) {
      marks.set(message, e.ts);
      pid = e.pid;
      tid = e.tid;
    }
  }
  const tasks = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.name === 'RunTask' && e.dur !== undefined);
  return { tasks, marks };
}

function phase(tasks: TraceEvent[], from: number, to: number) {
  const within = tasks.filter((t) => t.ts >= from && t.ts < to);
  const inside = within.map((t) => t.dur! / 1000).sort((a, b) => a - b);
  const busy = inside.reduce((s, d) => s + d, 0);
  return {
    tasks: inside.length,
    longestTaskMs: round(inside[inside.length - 1] ?? 0),
    // The same task's CPU time: what the page's own work cost, whatever else the machine was doing.
    longestTaskCpuMs: round(Math.max(0, ...within.map((t) => (t.tdur ?? t.dur!) / 1000))),
    p99TaskMs: round(inside[Math.floor(inside.length * 0.99)] ?? 0),
    tasksOver50ms: inside.filter((d) => d > TARGET_MS).length,
    mainThreadBusyMs: round(busy),
  };
}

async function main(): Promise<void> {
  const bundle = join(ROOT, 'dist', 'webview', 'dashboard.js');
  if (!existsSync(bundle)) throw new Error('bench:ui: no dist/webview/dashboard.js; run `node scripts/build.mjs` first');
  const loadBefore = loadavg().map(round);
  const hub = await startSyntheticHub(ROOT, HISTORY_SECONDS);
  const watched = await openPage({ colorScheme: 'dark' });
  const { page } = watched;
  try {
    // Long tasks as the page itself sees them, from before its first script runs.
    await page.addInitScript({ content: `window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration }); })
        .observe({ type: 'longtask', buffered: true });` });
    const session = await page.context().newCDPSession(page);
    const stopTrace = await startTrace(session);

    const t0 = Date.now();
    await page.goto(hub.url);
    await until('the snapshot', async () => (await hook<number>(page, 'messagesReceived')) >= 1);
    await until('the first drawing of every chart', async () => !(await hook<boolean>(page, 'chartsPending')));
    const firstDrawMs = Date.now() - t0;
    await page.evaluate("console.timeStamp('bench:loaded')");
    await sleep(1000);

    const loadPerf = await hook<Record<string, Timing>>(page, 'perf()');
    await page.evaluate("window.__gunicornLive.resetPerf(); console.timeStamp('bench:live')");
    const updates = await hub.live(LIVE_SECONDS);
    await until('the last update drawn', async () => !(await hook<boolean>(page, 'chartsPending')));
    const pagePerf = await hook<Record<string, Timing>>(page, 'perf()');
    // Playwright compiles its own helper script on the first click: do that before measuring clicks.
    await page.locator('vscode-button[data-window="900"]').boundingBox();
    await page.evaluate("console.timeStamp('bench:interact')");

    // What a user does next: switch the time window (every chart reloads its points).
    for (const seconds of [3600, 60, 900]) {
      await page.click(`vscode-button[data-window="${seconds}"]`);
      await until(`the ${seconds / 60} min window drawn`, async () => !(await hook<boolean>(page, 'chartsPending')));
      await sleep(300);
    }
    await page.evaluate("console.timeStamp('bench:profile')");

    // The Profile view open on the whole server (64 workers, 200 routes, 5,000 stacks), live: it asks
    // every 2 s and redraws the flame graph and the top functions with each answer.
    await page.click('#tab-profile');
    await until('the flame graph drawn', async () => ((await hook<{ framesDrawn: number } | null>(page, 'profile()'))?.framesDrawn ?? 0) > 0);
    const answersBefore = hub.profileAnswers();
    await hub.live(PROFILE_SECONDS);
    const profileFacts = await hook<{ framesDrawn: number; samples: number; answers: number }>(page, 'profile()');
    const profileAnswers = hub.profileAnswers() - answersBefore;
    await page.evaluate("console.timeStamp('bench:end')");
    // Read before the full-page screenshot, whose resize (every chart redrawn at the new size) is no user's.
    const longTasks = await page.evaluate<Array<{ start: number; ms: number }>>('window.__longTasks');
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-output', 'bench-ui.png'), fullPage: true });

    const trace = await stopTrace();
    // BENCH_TRACE=file.json keeps the raw trace: it opens in Chrome's Performance panel.
    if (process.env.BENCH_TRACE) writeFileSync(process.env.BENCH_TRACE, JSON.stringify({ traceEvents: trace }));
    const { tasks, marks } = mainThreadTasks(trace);
    const at = (name: string) => marks.get(name) ?? Number.NaN;
    const sum = (prefix: string) => Object.entries(pagePerf).filter(([k]) => k.startsWith(prefix)).reduce((s, [, t]) => s + t.totalMs, 0);
    const updateTiming = pagePerf['message:update'] ?? { count: 0, totalMs: 0, maxMs: 0 };
    const charts = Object.fromEntries(Object.entries(pagePerf).filter(([k]) => k.startsWith('chart:'))
      .map(([k, t]) => [k.slice(6), { meanMs: round(t.totalMs / t.count), maxMs: round(t.maxMs), draws: t.count }]));
    const live = phase(tasks, at('bench:live'), at('bench:interact'));
    const load = phase(tasks, 0, at('bench:loaded'));
    const interact = phase(tasks, at('bench:interact'), at('bench:profile'));
    const profileOpen = phase(tasks, at('bench:profile'), at('bench:end'));
    const longest = Math.max(load.longestTaskMs, live.longestTaskMs, interact.longestTaskMs, profileOpen.longestTaskMs);
    const longestCpu = Math.max(load.longestTaskCpuMs, live.longestTaskCpuMs, interact.longestTaskCpuMs, profileOpen.longestTaskCpuMs);

    const result = {
      benchmark: 'ui',
      chromium: watched.page.context().browser()?.version() ?? 'Debian chromium (persistent context)',
      bundleBytes: statSync(bundle).size,
      // What dashboard.js imports once the page is up (Chart.js, the components), by file.
      chunkBytes: Object.fromEntries(readdirSync(dirname(bundle)).filter((f) => f.endsWith('.js') && f !== 'dashboard.js')
        .map((f) => [f, statSync(join(dirname(bundle), f)).size])),
      workers: WORKERS,
      historyPoints: HISTORY_SECONDS,
      snapshotBytes: hub.snapshotBytes,
      liveUpdates: updates,
      load: { ...load, firstDrawMs, snapshot: timings(loadPerf) },
      live: {
        ...live,
        meanUpdateCostMs: round((sum('parse') + sum('message:') + sum('chart:')) / Math.max(1, updates)),
        meanHandleMs: round(updateTiming.totalMs / Math.max(1, updateTiming.count)),
        maxHandleMs: round(updateTiming.maxMs),
        meanParseMs: round(sum('parse') / Math.max(1, updates)),
        charts,
        mainThreadMsPerUpdate: round(live.mainThreadBusyMs / Math.max(1, updates)),
      },
      timeWindowSwitches: interact,
      profileView: { ...profileOpen, seconds: PROFILE_SECONDS, answers: profileAnswers, framesDrawn: profileFacts.framesDrawn,
        samplesShown: profileFacts.samples, profile: '64 workers, 200 routes, 5,000 distinct stacks, 97 Hz, 5-minute window' },
      longtaskObserver: { count: longTasks.length, longestMs: round(Math.max(0, ...longTasks.map((t) => t.ms))) },
      longestTaskMs: longest,
      longestTaskCpuMs: longestCpu,
      targetMs: TARGET_MS,
      pass: longest <= TARGET_MS,
      // Two cores shared with whatever else runs: wall times above include waiting for a core.
      loadAverage: { before: loadBefore, after: loadavg().map(round) },
      cspViolations: watched.cspViolations.length,
      pageErrors: watched.pageErrors,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await watched.close();
    await hub.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
