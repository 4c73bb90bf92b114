// Bad input gets one clear line on stderr and a non-zero exit — never a stack trace (`run`'s checks of
// Gunicorn's own arguments are in cliBadInput.test.ts); `serve` starts and stops cleanly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCli } from './cliProcess';

async function fails(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const cli = startCli(args, { env });
  const { code } = await cli.exited;
  const lines = cli.output().trim().split('\n').filter((l) => l.startsWith('gunicorn-live:'));
  assert.notEqual(code, 0, cli.output());
  assert.equal(lines.length, 1, cli.output());
  assert.match(lines[0], message);
  assert.doesNotMatch(cli.output(), /^\s+at /m, 'no stack trace');
}

describe('CLI bad input', () => {
  let taken: Server;
  let takenPort: number;
  before(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(() => taken.close());

  test('unknown flag', () => fails(['run', '--bogus'], /unknown option '--bogus'/));
  test('unknown command', () => fails(['launch'], /unknown command 'launch'/));
  test('no Gunicorn arguments', () => fails(['run'], /no Gunicorn arguments: put them after --/));
  test('hub port taken', () => fails(['run', '--port', String(takenPort), '--', '--bind', '127.0.0.1:0', '--chdir', join(__dirname, '..', 'apps'), 'work:app'],
    new RegExp(`port ${takenPort} on 127.0.0.1 is already in use`)));
  test('bad port', () => fails(['serve', '--port', 'http'], /--port must be 0–65535/));
  test('no Python with gunicorn', () => fails(['run', '--python', '/nonexistent/python3', '--', 'app:app'], /no Python that can import gunicorn: tried \/nonexistent\/python3 \(not found\)/));
  test('a non-loopback host needs --allow-remote', () => fails(['serve', '--host', '0.0.0.0'], /--host 0.0.0.0 would expose the hub beyond this machine; add --allow-remote/));
  test('a short token is refused', () => fails(['serve'], /the token must be 16–256 printable ASCII/, { GUNICORN_LIVE_TOKEN: 'abc' }));
});

describe('gunicorn-live serve', () => {
  test('prints the dashboard, metrics and the environment for an agent started elsewhere', async () => {
    const cli = startCli(['serve', '--port', '0'], { env: { GUNICORN_LIVE_TOKEN: 'a-fixed-token-for-serve-0001' } });
    const [, port] = await cli.line(/^dashboard: http:\/\/127\.0\.0\.1:(\d+)\/#token=a-fixed-token-for-serve-0001$/m);
    await cli.line(new RegExp(`^metrics: http://127\\.0\\.0\\.1:${port}/metrics$`, 'm'));
    await cli.line(new RegExp(`^GUNICORN_LIVE_URL=ws://127\\.0\\.0\\.1:${port}/ws/agent$`, 'm'));
    await cli.line(/^GUNICORN_LIVE_TOKEN=a-fixed-token-for-serve-0001$/m);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  test('a SIGTERM the moment the dashboard line appears is a clean stop, not a kill', async () => {
    // Whoever reads the lines may stop the hub at once: the handlers must be in place before they print.
    for (let i = 0; i < 5; i++) {
      const cli = startCli(['serve', '--port', '0']);
      let seen = '';
      cli.child.stdout!.on('data', (d) => {
        seen += d;
        if (seen.includes('dashboard: ') && !cli.child.killed) cli.child.kill('SIGTERM');
      });
      assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.output());
    }
  });
});

describe('run: a stop the moment the hub\'s lines appear', () => {
  /** Processes whose command line holds `marker` (Gunicorn's --name is in its arguments). */
  const processesWith = (marker: string) => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });

  test('reaches Gunicorn even before it was spawned: the CLI exits by itself and nothing is left running', async () => {
    for (let i = 0; i < 3; i++) {
      const marker = `gl-stop-race-${process.pid}-${i}`;
      const cli = startCli(['run', '--port', '0', '--', '--bind', '127.0.0.1:0', '--name', marker, '--chdir', join(__dirname, '..', 'apps'), 'work:app']);
      let seen = '';
      cli.child.stdout!.on('data', (d) => {
        seen += d;
        if (seen.includes('dashboard: ') && !cli.child.killed) cli.child.kill('SIGTERM');
      });
      const { code, signal } = await cli.exited;
      // Gunicorn's status: 0 when its handlers were in place, 128 + 15 when TERM came while it was starting.
      assert.equal(signal, null, cli.output());
      assert.ok(code === 0 || code === 143, `exit ${code}\n${cli.output()}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(processesWith(marker), [], `nothing named ${marker} is left`);
    }
  });
});

describe('--allow-remote', () => {
  test('a non-loopback hub starts only with the flag, and warns', async () => {
    const cli = startCli(['serve', '--host', '0.0.0.0', '--allow-remote', '--port', '0']);
    await cli.line(/^dashboard: http:\/\/0\.0\.0\.0:\d+\/#token=/m);
    assert.match(cli.output(), /^gunicorn-live: warning: the hub listens on 0\.0\.0\.0, reachable from other machines/m);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });
});
