// The demo's traffic: a bounded mix of requests to the bundled app on loopback, so every chart moves.
import { Agent, request } from 'node:http';

/** Relative weights of paths; `{n}` becomes 0–999. */
export type TrafficMix = Array<[string, number]>;

/** The demo app's endpoints; /hang is sent on its own, rarely. */
const DEMO_MIX: TrafficMix = [
  ['/fast', 40], ['/items/{n}', 20], ['/slow', 8], ['/cpu', 10], ['/memory', 2],
  ['/missing', 6], ['/error', 3], ['/raise', 2],
];

export interface TrafficOptions {
  port: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Pause between a client's requests, ms. */
  pauseMs?: number;
  /** Stops by itself after this long, ms. */
  durationMs: number;
  /** How often one request outlives the worker timeout, ms (0: never). */
  hangEveryMs?: number;
  /** Paths and their weights (default: the demo app's endpoints), e.g. for the README's screenshot tour. */
  mix?: TrafficMix;
}

export interface Traffic {
  sent(): number;
  stop(): void;
}

function pick(mix: TrafficMix, totalWeight: number): string {
  let r = Math.random() * totalWeight;
  for (const [path, w] of mix) {
    if ((r -= w) < 0) return path.replace('{n}', String(Math.floor(Math.random() * 1000)));
  }
  return mix[0][0].replace('{n}', '0');
}

export function startTraffic(options: TrafficOptions): Traffic {
  const agent = new Agent({ keepAlive: true, maxSockets: (options.concurrency ?? 4) + 1 });
  const deadline = Date.now() + options.durationMs;
  let stopped = false;
  let sent = 0;
  const mix = options.mix ?? DEMO_MIX;
  const totalWeight = mix.reduce((sum, [, w]) => sum + w, 0);

  const get = (path: string, timeoutMs: number) =>
    new Promise<void>((resolve) => {
      // Only ever 127.0.0.1: the demo never sends traffic off this machine.
      const req = request({ host: '127.0.0.1', port: options.port, path, agent, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.end();
      sent += 1;
    });

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const client = async () => {
    while (!stopped && Date.now() < deadline) {
      await get(pick(mix, totalWeight), 15000);
      await pause(options.pauseMs ?? 100);
    }
  };
  for (let i = 0; i < (options.concurrency ?? 4); i++) void client();

  const hangTimer = options.hangEveryMs ? setInterval(() => void get('/hang', 60000), options.hangEveryMs) : null;
  const endTimer = setTimeout(() => stop(), options.durationMs);
  function stop() {
    stopped = true;
    if (hangTimer) clearInterval(hangTimer);
    clearTimeout(endTimer);
    agent.destroy();
  }
  return { sent: () => sent, stop };
}
