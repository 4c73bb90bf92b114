// Asking real interpreters what they import (Debian's python3 has Gunicorn 20.1.0 and Flask), and finding
// a workspace's virtual environments by their pyvenv.cfg.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { forgetProbes, probeInterpreter, workspaceVenvs } from '../../../extension/vscode/interpreterProbe';

const SYSTEM = '/usr/bin/python3';
const version = (module: string) => execFileSync(SYSTEM, ['-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8' }).trim();

describe('interpreter probe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-interp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the version of each module the interpreter imports, and null for the others', async () => {
    const probe = await probeInterpreter(SYSTEM, ['gunicorn', 'flask', 'no_such_module_here']);
    assert.equal(probe.error, undefined);
    assert.match(probe.python ?? '', /^3\.\d+\.\d+$/);
    assert.deepEqual(probe.modules, { gunicorn: version('gunicorn'), flask: version('flask'), no_such_module_here: null });
  });

  it('says why an interpreter did not answer', async () => {
    const probe = await probeInterpreter(join(dir, 'missing', 'python'), ['gunicorn']);
    assert.equal(probe.error, `${join(dir, 'missing', 'python')} was not found`);
    assert.deepEqual(probe.modules, { gunicorn: null });
  });

  it('asks again once the interpreter\'s site-packages changed (a pip install there)', async () => {
    forgetProbes();
    const venv = join(dir, 'v1');
    execFileSync(SYSTEM, ['-m', 'venv', '--without-pip', venv]);
    const python = join(venv, 'bin', 'python');
    assert.deepEqual((await probeInterpreter(python, ['gl_probe_pkg'])).modules, { gl_probe_pkg: null });
    const site = execFileSync(python, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
    writeFileSync(join(site, 'gl_probe_pkg.py'), '__version__ = "1"\n');
    // Same second on a coarse clock: the folder's mtime must differ from the one cached.
    utimesSync(site, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual((await probeInterpreter(python, ['gl_probe_pkg'])).modules, { gl_probe_pkg: '?' });
  });

  it('finds .venv, venv, env first, then any folder with a pyvenv.cfg, by name', () => {
    const ws = join(dir, 'ws');
    for (const name of ['zeta', 'venv', 'alpha', '.venv', 'not-a-venv']) {
      mkdirSync(join(ws, name, 'bin'), { recursive: true });
      writeFileSync(join(ws, name, 'bin', 'python'), '');
      if (name !== 'not-a-venv') writeFileSync(join(ws, name, 'pyvenv.cfg'), 'home = /usr/bin\n');
    }
    assert.deepEqual(workspaceVenvs(ws), ['.venv', 'venv', 'alpha', 'zeta'].map((n) => join(ws, n, 'bin', 'python')));
    assert.deepEqual(workspaceVenvs(join(dir, 'nowhere')), []);
  });
});
