// scripts/bootstrap.mjs asks only for the Debian packages of the suites being run, and names exactly the
// missing ones. Driven in a child Node as a non-root user (so it never runs apt-get), with a stand-in
// dpkg-query on PATH that reports the packages the test says are missing. The child imports a copy of the
// module from a folder nobody can read, since the checkout itself may sit in a private (0700) folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'node:test';

const fakeBin = mkdtempSync(join(tmpdir(), 'gl-dpkg-'));
chmodSync(fakeBin, 0o755);
for (const module of ['bootstrap.mjs', 'cacheRoot.mjs']) {
  copyFileSync(join(__dirname, '..', '..', '..', 'scripts', module), join(fakeBin, module));
  chmodSync(join(fakeBin, module), 0o644);
}
const BOOTSTRAP = pathToFileURL(join(fakeBin, 'bootstrap.mjs')).href;
writeFileSync(join(fakeBin, 'dpkg-query'), [
  '#!/bin/sh',
  '[ "$1" = --version ] && exit 0',
  'for name; do :; done',
  'case " $MISSING " in *" $name "*) echo "dpkg-query: no packages found matching $name" >&2; exit 1;; esac',
  'printf "install ok installed"',
].join('\n'));
chmodSync(join(fakeBin, 'dpkg-query'), 0o755);

/** Runs `code` (with `m` = the bootstrap module) in a child Node, as nobody when we are root. */
function inChild(code: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as m from '${BOOTSTRAP}';\n${code}`], {
    encoding: 'utf8',
    cwd: '/',
    env: { PATH: `${fakeBin}:/usr/bin:/bin`, ...env },
    uid: process.getuid?.() === 0 ? 65534 : undefined,
    gid: process.getuid?.() === 0 ? 65534 : undefined,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const check = (suites: string[], missing: string[]) =>
  inChild(`m.debianPackages('test', ${JSON.stringify(suites)});`, { MISSING: missing.join(' ') });

const packagesFor = (purpose: string, suites: string[] = []): string[] =>
  JSON.parse(inChild(`console.log(JSON.stringify(m.debianPackagesFor('${purpose}', ${JSON.stringify(suites)})));`).stdout);

test('each suite asks for its own packages; no suite named means every suite', () => {
  assert.deepEqual(packagesFor('test', ['unit']), []);
  assert.deepEqual(packagesFor('test', ['typecheck', 'unit']), []);
  assert.deepEqual(packagesFor('test', ['lint']), ['python3-venv']);
  assert.deepEqual(packagesFor('test', ['integration']), ['gunicorn', 'python3-gunicorn']);
  assert.deepEqual(packagesFor('test', ['browser']), ['gunicorn', 'python3-gunicorn', 'chromium']);
  assert.deepEqual(packagesFor('start'), ['gunicorn', 'python3-gunicorn']);
  const agent = packagesFor('test', ['agent']);
  const vscode = packagesFor('test', ['vscode']);
  for (const name of ['python3-debugpy', 'libkrb5-dev', 'chromium']) {
    assert.ok(!agent.includes(name), `agent asks for ${name}`);
    assert.ok(vscode.includes(name), `vscode does not ask for ${name}`);
  }
  assert.ok(agent.includes('python3-gevent') && agent.includes('python3-psutil'));
  const all = packagesFor('test');
  assert.equal(new Set(all).size, all.length, 'each package once');
  assert.deepEqual([...all].sort(), [...new Set([...agent, ...vscode, ...packagesFor('test', ['browser', 'lint'])])].sort());
  assert.deepEqual(packagesFor('test', ['no-such-suite']), []);
});

test('python3-debugpy missing: unit, agent, integration and browser go on; vscode (or every suite) stops naming exactly it', () => {
  for (const suites of [['unit'], ['typecheck', 'unit'], ['agent'], ['integration'], ['browser']]) {
    assert.deepEqual(check(suites, ['python3-debugpy']), { status: 0, stdout: '', stderr: '' }, suites.join(' '));
  }
  for (const suites of [['vscode'], ['unit', 'vscode'], []]) {
    assert.deepEqual(check(suites, ['python3-debugpy']), {
      status: 1, stdout: '',
      stderr: 'bootstrap: missing Debian packages. Install them with:\n  sudo apt-get install -y python3-debugpy\n',
    }, suites.join(' ') || 'every suite');
  }
});

test('the message names every missing package of the suites run, and only those', () => {
  const r = check(['integration', 'browser'], ['chromium', 'python3-gevent', 'python3-gunicorn', 'python3-debugpy']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'bootstrap: missing Debian packages. Install them with:\n  sudo apt-get install -y python3-gunicorn chromium\n');
});
