// `gunicorn-live demo`: `run` on the bundled demo app, with traffic, so a first look shows everything moving.
import { CliError } from './errors';
import { freePort } from './freePort';
import { DEMO_DIR } from '../launch/paths';
import { startServer, type RunFlags } from './run';
import { startTraffic } from './traffic';

export interface DemoFlags extends RunFlags {
  workers: string;
  minutes: string;
  traffic: boolean;
}

async function waitForApp(port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(`http://127.0.0.1:${port}/fast`).then((r) => r.ok, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export async function demo(flags: DemoFlags): Promise<number> {
  const workers = Number(flags.workers);
  const minutes = Number(flags.minutes);
  if (!Number.isInteger(workers) || workers < 1 || workers > 32) throw new CliError(`--workers must be 1–32, got '${flags.workers}'`);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new CliError(`--minutes must be between 0 and 1440, got '${flags.minutes}'`);
  const appPort = await freePort();
  const server = await startServer(flags, [
    '--workers', String(workers), '--bind', `127.0.0.1:${appPort}`, '--timeout', '10',
    '--max-requests', '2000', '--max-requests-jitter', '200', '--chdir', DEMO_DIR, '--name', 'gunicorn-live-demo', 'app:app',
  ], DEMO_DIR);
  console.log(`app: http://127.0.0.1:${appPort}/`);
  if (flags.traffic && (await waitForApp(appPort, 20000))) {
    const traffic = startTraffic({ port: appPort, concurrency: 4, pauseMs: 80, durationMs: minutes * 60_000, hangEveryMs: 45_000 });
    console.log(`traffic: ~40 requests/s to the demo app for ${minutes} min (Ctrl-C stops everything)`);
    void server.exited.then(() => traffic.stop());
  }
  return server.exited;
}
