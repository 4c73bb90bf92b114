// `npm run bench:hub`: the hub's cost at capacity, in steady state. The hub runs as the real CLI
// (`gunicorn-live serve`) in its own process; synthetic agents speak the protocol over real WebSockets:
// 4 servers × 64 workers at 1 Hz, each with 200 active routes. The agents first replay the past hour
// (3600 samples each, with their own timestamps, paced under the hub's 200 frames/s limit), so the hub's
// history is full, as after an hour of running, when its CPU, RSS and /metrics scrape time are measured.
// Also measures, in this process, the memory of one hour of history for 64 workers and the cost of reading it,
// and the same for an hour of profiles (profileCost.ts).
// Prints JSON.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { serverId } from '../../extension/hub/store';
import { hello, ROUTES, sample, WORKERS } from './frames';
import { historyCost } from './historyCost';
import { profileCost } from './profileCost';

const ROOT = join(__dirname, '..', '..');
const SERVERS = 4;
/** Samples per server the hub keeps: 1 h at 1 s. */
const HOUR = 3600;
/** Replayed samples per agent between two checks that the hub has taken them all in. */
const BATCH = 100;
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const TOKEN = 'bench-token-0123456789abcdef';
const TICKS = 100; // USER_HZ on Linux

function procStat(pid: number): { cpuTicks: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssBytes: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024 };
}

async function startHubProcess(): Promise<{ pid: number; base: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'gunicorn-live.js'), 'serve', '--port', '0'], {
    env: { ...process.env, GUNICORN_LIVE_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^metrics: (http:\/\/[^/]+)\/metrics$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`hub exited: ${out}`)));
  });
  return { pid: child.pid!, base, stop: () => child.kill('SIGTERM') };
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The `at` of the newest point the hub holds for server `id`. */
async function newestAt(base: string, id: string): Promise<number | undefined> {
  const { points } = await api<{ points: { at: number }[] }>(base, `/api/servers/${id}/history?window=1`);
  return points[points.length - 1]?.at;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each agent sends the past hour, BATCH samples at a time, then waits until the hub's newest point is the
 * batch's last (it has validated and stored them all) and at least half a second has passed: the hub's
 * rate limit (a bucket of 200 frames refilled at 200/s) is never hit, and the replay goes as fast as the
 * hub can take it in. Timestamps jitter by a few ms, as real samples do.
 */
async function replayHour(base: string, agents: WebSocket[], ids: string[], t0: number): Promise<number> {
  const at = (seq: number) => t0 + seq + ((seq * 7919) % 13) / 1000;
  for (let from = 0; from < HOUR; from += BATCH) {
    const started = performance.now();
    const to = Math.min(HOUR, from + BATCH);
    agents.forEach((ws, i) => {
      for (let seq = from; seq < to; seq++) ws.send(JSON.stringify(sample(i, seq, at(seq))));
    });
    for (const id of ids) while ((await newestAt(base, id)) !== at(to - 1)) await sleep(20);
    await sleep(Math.max(0, 500 - (performance.now() - started)));
  }
  return HOUR;
}

/** Wall time of a scrape as a client sees it, and the hub's own CPU time per scrape (robust to load). */
async function scrapeMs(base: string, pid: number, times: number): Promise<{ median: number; p95: number; hubCpuMs: number; bytes: number }> {
  const durations: number[] = [];
  let bytes = 0;
  const cpuBefore = procStat(pid).cpuTicks;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    bytes = (await (await fetch(`${base}/metrics`)).text()).length;
    durations.push(performance.now() - t);
  }
  const hubCpuMs = ((procStat(pid).cpuTicks - cpuBefore) / TICKS) * 1000 / times;
  durations.sort((a, b) => a - b);
  return { median: round(durations[Math.floor(times / 2)]), p95: round(durations[Math.floor(times * 0.95)]), hubCpuMs: round(hubCpuMs), bytes };
}

const round = (n: number) => Math.round(n * 100) / 100;
const mib = (bytes: number) => round(bytes / 2 ** 20);

async function main(): Promise<void> {
  // In this process first, before the replay leaves garbage behind that would blur the heap's baseline.
  const history = { ...historyCost(), ...profileCost() };
  const hub = await startHubProcess();
  try {
    console.log(JSON.stringify(await measure(hub, history), null, 2));
  } finally {
    hub.stop();
  }
}

async function measure(hub: { pid: number; base: string }, history: ReturnType<typeof historyCost> & Record<string, unknown>) {
  const t0 = Math.floor(Date.now() / 1000) - HOUR - 1;
  const agents = await Promise.all(Array.from({ length: SERVERS }, (_, i) => new Promise<WebSocket>((resolve) => {
    const ws = new WebSocket(`${hub.base.replace('http', 'ws')}/ws/agent`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    ws.on('open', () => {
      ws.send(JSON.stringify(hello(i, t0)));
      resolve(ws);
    });
  })));
  const ids = agents.map((_, i) => serverId(hello(i, t0)));
  const rssEmpty = procStat(hub.pid).rssBytes;

  const replayStarted = performance.now();
  let seq = await replayHour(hub.base, agents, ids, t0);
  const replaySeconds = (performance.now() - replayStarted) / 1000;
  let lastAt = 0;
  const tick = () => {
    lastAt = Date.now() / 1000;
    agents.forEach((ws, i) => ws.send(JSON.stringify(sample(i, seq, lastAt))));
    seq += 1;
  };
  tick();
  const timer = setInterval(tick, 1000);
  await sleep(5000); // settle after the replay: live traffic only from here
  const first = procStat(hub.pid);
  const t = performance.now();
  const rss: number[] = [];
  for (let s = 0; s < MEASURE_SECONDS; s++) {
    await sleep(1000);
    rss.push(procStat(hub.pid).rssBytes);
  }
  const last = procStat(hub.pid);
  const wall = (performance.now() - t) / 1000;
  const scrapeAll = await scrapeMs(hub.base, hub.pid, 40);
  clearInterval(timer);
  await sleep(200);
  // Every agent was still streaming (none closed by a rate limit), and the hub's history is full: an hour.
  const full = await api<{ points: unknown[] }>(hub.base, `/api/servers/${ids[0]}/history?window=${2 * HOUR}`);
  if (full.points.length !== HOUR) throw new Error(`history holds ${full.points.length} points, not ${HOUR}`);
  for (const id of ids) if ((await newestAt(hub.base, id)) !== lastAt) throw new Error(`server ${id} stopped receiving samples`);
  agents.slice(1).forEach((ws) => ws.close());
  await sleep(300);
  const scrape64 = await scrapeMs(hub.base, hub.pid, 100);
  agents[0].close();

  rss.sort((a, b) => a - b);
  return {
    benchmark: 'hub',
    servers: SERVERS, workersTotal: SERVERS * WORKERS, routesPerServer: ROUTES, sampleHz: 1, seconds: round(wall),
    historyPointsPerServer: full.points.length,
    replaySeconds: round(replaySeconds),
    hubCpuPercentOfOneCore: round(((last.cpuTicks - first.cpuTicks) / TICKS / wall) * 100),
    /** At the end of the measurement, every server's hour of history full. */
    hubRssMiB: mib(last.rssBytes),
    hubRssMiBRange: [mib(rss[0]), mib(rss[rss.length - 1])],
    hubRssMiBBeforeHistory: mib(rssEmpty),
    scrapeMs64Workers: scrape64,
    scrapeMs256Workers: scrapeAll,
    ...history,
    targets: { hubCpuPercentOfOneCore: '< 5', hubRssMiB: '< 150', scrapeMs64WorkersMedian: '<= 5' },
  };
}

main().catch((error: unknown) => {
  console.error(`bench:hub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
