// USR2 under `gunicorn-live run`, on a real Debian Gunicorn: the re-executed master is the same server,
// every request served by old and new workers is counted exactly, the old master's exits are shutdowns,
// and the CLI follows the new master — it outlives the old one and stops whatever is still serving.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { startCli, stopCli, type CliProcess } from './cliProcess';
import { childrenOf, freePort, httpGet } from './proc';
import { until } from '../until';
import { series, sum } from './promText';

const APPS = join(__dirname, '..', 'apps');
const N = 30;
const M = 40;
const K = 20;

/** pid state and process group from /proc/PID/stat; null once the process is gone. */
function stat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const [state, ppid, pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/** Running (a zombie has finished: only its exit status is left for a parent to read). */
const running = (pid: number) => {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
};

/** Every running process of a process group. */
function groupMembers(pgrp: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => stat(pid)?.pgrp === pgrp && running(pid));
}

/** One `gunicorn-live run -- -w 2 work:app`, with its API and metrics. */
async function startRun(): Promise<{ cli: CliProcess; appPort: number; api: Api }> {
  const appPort = await freePort();
  const cli = startCli(['run', '--port', '0', '--', '-w', '2', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app'],
    { env: { GUNICORN_LIVE_INTERVAL: '0.5' } });
  const [, base, token] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{32})$/m);
  return { cli, appPort, api: new Api(base, token) };
}

class Api {
  constructor(readonly base: string, private readonly token: string) {}

  /** The one server (undefined until its agent says hello). */
  async server(): Promise<ServerView | undefined> {
    const res = await fetch(`${this.base}/api/servers`, { headers: { Authorization: `Bearer ${this.token}` } });
    const { servers } = (await res.json()) as { servers: ServerView[] };
    assert.ok(servers.length <= 1, 'one server, whatever its generation');
    return servers[0];
  }

  async signal(id: string, signal: string): Promise<number> {
    const res = await fetch(`${this.base}/api/servers/${id}/signal`, {
      method: 'POST', headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ signal }),
    });
    return res.status;
  }

  /** The totals /metrics and /api/servers give: per-worker sum, per-route sum, server total. */
  async totals(): Promise<{ perWorker: number; perRoute: number; server: number }> {
    const text = await (await fetch(`${this.base}/metrics`)).text();
    return {
      perWorker: sum(series(text, 'gunicorn_worker_requests_total')),
      perRoute: sum(series(text, 'gunicorn_requests_total')),
      server: (await this.server())?.requestsTotal ?? 0,
    };
  }

  /** Waits until every total reaches `n`, lets one more interval pass, and returns them. */
  async settledTotals(n: number): Promise<{ perWorker: number; perRoute: number; server: number }> {
    await until(async () => {
      const t = await this.totals();
      return t.perWorker >= n && t.perRoute >= n && t.server >= n;
    }, `${n} requests counted`).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(await this.totals())}`);
    });
    await new Promise((r) => setTimeout(r, 1200)); // two more intervals: nothing extra may arrive
    return this.totals();
  }
}

async function requests(port: number, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) assert.equal(await httpGet(port, `/${prefix}/${i}`), 200);
}

/** The new generation after USR2: a new master (a child of the old one) with its own two workers reporting. */
async function newGeneration(api: Api, oldMaster: number): Promise<ServerView> {
  return until(async () => {
    const s = await api.server();
    if (!s || s.masterPid === oldMaster || !s.connected) return false;
    const own = childrenOf(s.masterPid);
    return own.length === 2 && own.every((pid) => s.workers.some((w) => w.pid === pid && w.rssBytes !== null)) && s;
  }, 'the new master and its two workers');
}

describe('USR2 under gunicorn-live run: counts carry on, the CLI follows the new master', () => {
  let cli: CliProcess;
  let appPort: number;
  let api: Api;
  let first: ServerView;
  let second: ServerView;
  /** Every Gunicorn process seen: both masters and all their workers. */
  const started = new Set<number>();

  before(async () => {
    ({ cli, appPort, api } = await startRun());
    first = await until(async () => {
      const s = await api.server();
      return s?.workers.length === 2 && s.workers.every((w) => w.rssBytes !== null) && s;
    }, 'two sampled workers');
    assert.equal(stat(first.masterPid)?.ppid, cli.child.pid, 'the first master is the CLI’s child');
    for (const pid of [first.masterPid, ...childrenOf(first.masterPid)]) started.add(pid);
  });
  after(async () => {
    if (cli) await stopCli(cli);
    for (const pid of groupMembers(first?.masterPid ?? -1)) process.kill(pid, 'SIGKILL');
  });

  test(`${N} requests before USR2 → ${N} counted`, async () => {
    await requests(appPort, N, 'before');
    assert.deepEqual(await api.settledTotals(N), { perWorker: N, perRoute: N, server: N });
  });

  test(`USR2: the new master is the same server, totals do not go back, ${M} more requests → ${N + M}`, async () => {
    assert.equal(await api.signal(first.id, 'USR2'), 200);
    second = await newGeneration(api, first.masterPid);
    assert.equal(second.id, first.id);
    assert.equal(stat(second.masterPid)?.ppid, first.masterPid, 'Gunicorn forks the new master from the old one');
    for (const pid of [second.masterPid, ...childrenOf(second.masterPid)]) started.add(pid);
    assert.ok(running(first.masterPid), 'the old master serves on until it is told to stop');
    const atTakeover = await api.totals();
    assert.deepEqual(atTakeover, { perWorker: N, perRoute: N, server: N }, 'no total goes backwards at the takeover');

    // Old and new workers accept on the same socket now: every request counts, whoever served it.
    await requests(appPort, M, 'during');
    assert.deepEqual(await api.settledTotals(N + M), { perWorker: N + M, perRoute: N + M, server: N + M });
    const s = (await api.server())!;
    const oldServed = s.workers.filter((w) => first.workers.some((f) => f.pid === w.pid)).reduce((a, w) => a + w.requests, 0);
    assert.ok(oldServed > N && oldServed < N + M, `old workers served ${oldServed - N} of the ${M} after the takeover (the case the audit lost)`);
    assert.equal(s.masterPid, second.masterPid);
    const pids = s.workers.map((w) => w.pid).sort((a, b) => a - b);
    const expected = [...childrenOf(second.masterPid), ...childrenOf(first.masterPid).filter((p) => p !== second.masterPid)];
    assert.deepEqual(pids, expected.sort((a, b) => a - b), 'the workers shown are the live workers of both masters');
  });

  test(`TERM to the old master: its workers exit as a shutdown, the CLI keeps following the new master; ${K} more → ${N + M + K}`, async () => {
    const oldWorkers = childrenOf(first.masterPid).filter((p) => p !== second.masterPid);
    assert.equal(oldWorkers.length, 2);
    process.kill(first.masterPid, 'SIGTERM');
    await until(() => !running(first.masterPid), 'the old master to exit');
    const s = await until(async () => {
      const v = await api.server();
      return v?.workers.length === 2 && v.workers.every((w) => !oldWorkers.includes(w.pid)) && v;
    }, 'the old workers to leave the view');
    await new Promise((r) => setTimeout(r, 1000)); // the CLI would have exited by now if it followed only its child
    assert.equal(cli.child.exitCode, null, `the CLI still runs; it said:\n${cli.output().slice(-2000)}`);
    assert.equal(s.connected, true);
    assert.equal(s.masterPid, second.masterPid);
    const exits = s.events.filter((e) => e.type === 'worker_exit' && oldWorkers.includes(e.pid));
    assert.deepEqual(exits.map((e) => e.type === 'worker_exit' && e.reason), ['shutdown', 'shutdown']);
    assert.deepEqual(await api.totals(), { perWorker: N + M, perRoute: N + M, server: N + M }, 'the old workers’ requests stay counted');

    await requests(appPort, K, 'after');
    assert.deepEqual(await api.settledTotals(N + M + K), { perWorker: N + M + K, perRoute: N + M + K, server: N + M + K });
    const text = await (await fetch(`${api.base}/metrics`)).text();
    assert.equal(series(text, 'gunicorn_worker_restarts_total').filter(([l]) => l.reason !== 'shutdown').reduce((a, [, v]) => a + v, 0), 0,
      'no exit counted as anything but a shutdown');
  });

  test('SIGTERM to the CLI stops the new master too: nothing it started is left, and it exits 0', async () => {
    for (const pid of childrenOf(second.masterPid)) started.add(pid);
    assert.ok(running(second.masterPid));
    cli.child.kill('SIGTERM');
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 30000);
    const { code, signal } = await cli.exited;
    clearTimeout(timer);
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, cli.output().slice(-2000));
    assert.equal(started.size, 6, 'two masters, two workers each');
    assert.deepEqual([...started].filter(running), [], 'every Gunicorn process the CLI started is gone');
    assert.deepEqual(groupMembers(first.masterPid), [], "nothing is left in Gunicorn's process group");
    assert.match(cli.output(), new RegExp(`following Gunicorn's new master ${second.masterPid}`));
  });
});

describe('Ctrl-C right after USR2, with both masters serving', () => {
  test('stops the old and the new master and all their workers; the CLI exits 0', async () => {
    const { cli, api } = await startRun();
    let group = -1;
    try {
      const first = await until(async () => {
        const s = await api.server();
        return s?.workers.length === 2 && s;
      }, 'two workers');
      group = first.masterPid;
      assert.equal(await api.signal(first.id, 'USR2'), 200);
      const second = await newGeneration(api, first.masterPid);
      const all = [first.masterPid, ...childrenOf(first.masterPid), ...childrenOf(second.masterPid)];
      assert.equal(all.length, 6);
      const { code } = await stopCli(cli);
      assert.equal(code, 0, cli.output().slice(-2000));
      assert.deepEqual(all.filter(running), []);
      assert.deepEqual(groupMembers(group), []);
    } finally {
      if (cli.child.exitCode === null) await stopCli(cli);
      if (group > 0) for (const pid of groupMembers(group)) process.kill(pid, 'SIGKILL');
    }
  });
});
