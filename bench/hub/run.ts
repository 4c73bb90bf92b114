// `npm run bench:hub`: the hub's cost at capacity. The hub runs as the real CLI (`gunicorn-live serve`)
// in its own process; synthetic agents speak the protocol over real WebSockets: 4 servers × 64 workers
// at 1 Hz, each with 200 active routes. Measures the hub's CPU (% of one core) and RSS from /proc, the
// time of a /metrics scrape, and the memory of one hour of history for 64 workers. Prints JSON.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Store } from '../../extension/hub/store';
import type { SampleFrame } from '../../extension/protocol/agent';

const ROOT = join(__dirname, '..', '..');
const SERVERS = 4;
const WORKERS = 64;
const ROUTES = 200;
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const TOKEN = 'bench-token-0123456789abcdef';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TICKS = 100; // USER_HZ on Linux

function procStat(pid: number): { cpuTicks: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssBytes: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024 };
}

function hello(i: number) {
  return { type: 'hello', protocol: '1.0', agent: { version: 'bench', python: '3.11', gunicorn: '20.1.0' },
    server: { masterPid: 10_000 + i, host: 'bench', app: `app${i}:app`, bind: [`127.0.0.1:${9000 + i}`], workerClass: 'sync',
      serviceName: `bench${i}`, startedAt: Date.now() / 1000, targetWorkers: WORKERS, interval: 1, durationBuckets: BUCKETS } };
}

function sample(i: number, seq: number, at: number): SampleFrame {
  return {
    type: 'sample', seq, at, master: { pid: 10_000 + i, cpuPercent: 0.3, rssBytes: 30e6 }, targetWorkers: WORKERS,
    workers: Array.from({ length: WORKERS }, (_, w) => ({
      pid: 20_000 + i * 100 + w, age: w + 1, bootedAt: at - 100, cpuPercent: (seq * 7 + w) % 100, rssBytes: 40e6 + w * 1e5,
      pssBytes: 20e6, requests: seq * 10 + w, state: w % 3 === 0 ? 'busy' : 'idle',
      inFlight: w % 3 === 0 ? { method: 'GET', route: `/r/${w}`, elapsed: 0.1 } : null,
    })),
    requests: Array.from({ length: ROUTES }, (_, r) => ({
      method: r % 5 === 0 ? 'POST' : 'GET', route: `/api/v1/resource${r}/{id}`, status: r % 17 === 0 ? 500 : 200, count: 3,
      durationSum: 0.05, buckets: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], responseBytes: 3000,
    })),
  };
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

/** One hour of 1 s history for 64 workers, measured in this process's heap. */
function historyBytes(): number {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = new Store();
  const id = store.connect(hello(0) as Parameters<Store['connect']>[0]);
  for (let s = 0; s < 3600; s++) store.sample(id, { ...sample(0, s, s), requests: [] });
  global.gc?.();
  const used = process.memoryUsage().heapUsed - before;
  if (store.history(id).length !== 3600) throw new Error('history not full');
  return used;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const hub = await startHubProcess();
  const agents = await Promise.all(Array.from({ length: SERVERS }, (_, i) => new Promise<WebSocket>((resolve) => {
    const ws = new WebSocket(`${hub.base.replace('http', 'ws')}/ws/agent`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    ws.on('open', () => {
      ws.send(JSON.stringify(hello(i)));
      resolve(ws);
    });
  })));
  let seq = 0;
  const tick = () => {
    const at = Date.now() / 1000;
    agents.forEach((ws, i) => ws.send(JSON.stringify(sample(i, seq, at))));
    seq += 1;
  };
  tick();
  const timer = setInterval(tick, 1000);
  await new Promise((r) => setTimeout(r, 5000)); // warm up: JIT, buffers, first full routes
  const first = procStat(hub.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, MEASURE_SECONDS * 1000));
  const last = procStat(hub.pid);
  const wall = (performance.now() - t0) / 1000;
  const scrapeAll = await scrapeMs(hub.base, hub.pid, 40);
  clearInterval(timer);
  agents.slice(1).forEach((ws) => ws.close());
  await new Promise((r) => setTimeout(r, 300));
  const scrape64 = await scrapeMs(hub.base, hub.pid, 100);
  agents[0].close();
  hub.stop();

  const result = {
    benchmark: 'hub',
    servers: SERVERS, workersTotal: SERVERS * WORKERS, routesPerServer: ROUTES, sampleHz: 1, seconds: round(wall),
    hubCpuPercentOfOneCore: round(((last.cpuTicks - first.cpuTicks) / TICKS / wall) * 100),
    hubRssMiB: round(last.rssBytes / 2 ** 20),
    scrapeMs64Workers: scrape64,
    scrapeMs256Workers: scrapeAll,
    historyHourFor64WorkersMiB: round(historyBytes() / 2 ** 20),
    targets: { hubCpuPercentOfOneCore: '< 5', hubRssMiB: '< 150', scrapeMs64WorkersMedian: '<= 5' },
  };
  console.log(JSON.stringify(result, null, 2));
}

void main();
