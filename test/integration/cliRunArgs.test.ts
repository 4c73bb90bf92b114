// `run`'s one rule for its arguments, like npx/uvx: run's own options first; from the first word that is not
// one of them, everything is Gunicorn's (-h included); `--` may mark the start.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ServerView } from '../../extension/protocol/ui';
import { until } from '../until';
import { startCli, stopCli } from './cliProcess';
import { freePort, httpGet } from './proc';
import { killLeftoverGunicorn } from './processGroup';

const APPS = join(__dirname, '..', 'apps');
const PYTHON = process.env.GUNICORN_LIVE_PYTHON ?? '/usr/bin/python3';
const mastersSeen = new Set<number>();
after(() => {
  for (const pid of mastersSeen) killLeftoverGunicorn(pid);
});

describe("gunicorn-live run: everything after run's own options is Gunicorn's", () => {
  test('`run --port 0 -w 1 --bind … app` without -- starts Gunicorn with those arguments', async () => {
    const appPort = await freePort();
    const token = 'run-without-dashes-0123456789';
    const cli = startCli(['run', '--python', PYTHON, '--port', '0', '--token', token, '-w', '1', '--bind', `127.0.0.1:${appPort}`, '--chdir', APPS, 'work:app']);
    try {
      const [, base] = await cli.line(/^dashboard: (http:\/\/127\.0\.0\.1:\d+)\//m);
      const server = await until(async () => {
        const res = await fetch(`${base}/api/servers`, { headers: { Authorization: `Bearer ${token}` } });
        const { servers } = (await res.json()) as { servers: ServerView[] };
        for (const s of servers) mastersSeen.add(s.masterPid);
        return servers.find((s) => s.workers.length > 0);
      }, 'the server with its worker');
      assert.equal(server.targetWorkers, 1, '-w 1 reached Gunicorn');
      assert.deepEqual(server.bind, [`127.0.0.1:${appPort}`]);
      assert.equal(await httpGet(appPort, '/'), 200);
    } finally {
      assert.equal((await stopCli(cli)).code, 0, cli.output());
    }
  });

  test('-h after Gunicorn\'s first argument is Gunicorn\'s help, not run\'s', async () => {
    const cli = startCli(['run', '--python', PYTHON, '-w', '1', '-h']);
    const { code } = await cli.exited;
    assert.equal(code, 0, cli.output());
    assert.match(cli.output(), /^usage: gunicorn \[OPTIONS\] \[APP_MODULE\]$/m);
    assert.doesNotMatch(cli.output(), /Usage: gunicorn-live run/);
  });

  test("run's own -h shows run's help with the rule", async () => {
    const cli = startCli(['run', '-h']);
    assert.equal((await cli.exited).code, 0);
    assert.match(cli.output(), /^Usage: gunicorn-live run \[options\] \[--\] <gunicorn arguments…>$/m);
    assert.match(cli.output(), /^The first word that is not one of run's options above starts Gunicorn's arguments$/m);
  });

  test("one of run's options after Gunicorn's arguments began goes to Gunicorn, which refuses it: one line says where it belongs", async () => {
    const cli = startCli(['run', '--python', PYTHON, '-w', '1', '--port', '9000', '--chdir', APPS, 'work:app']);
    const { code } = await cli.exited;
    assert.equal(code, 2, cli.output());
    const lines = cli.output().trim().split('\n').filter((l) => l.startsWith('gunicorn-live:'));
    assert.deepEqual(lines, ["gunicorn-live: Gunicorn refused its arguments: unrecognized arguments: --port work:app (--port is run's own option: put it before Gunicorn's arguments)"]);
  });
});
