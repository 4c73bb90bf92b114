// Facts about real processes, read from /proc, to check what the agent reports; and plain HTTP to them.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

export { freePort } from '../../extension/cli/freePort';

/** Children of a process, from /proc (every thread's children file). */
export function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids.sort((a, b) => a - b);
}

export function vmRssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

/** One GET to the app on loopback; resolves with the status code. */
export function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
