// Starts code-server (real VS Code: workbench in the browser, Node extension host) for one run, in its
// own process group and temp folders, and stops it with everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Toolchain } from './install';
import { freePort } from './workspace';

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  /** Kills the process group, servers left in the workspace, the temp folders and the /tmp sockets it made. */
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  toolchain: Toolchain;
  workspace: string;
  /** .vsix files installed before the server starts. */
  vsixes?: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Where the extension's "Gunicorn Live" output channel logs are copied when the server stops. */
  keepLogsIn?: string;
  /** Leave Workspace Trust on (the folder then opens in Restricted Mode); off by default. */
  trust?: boolean;
  /** Settings of scope "machine" (gunicornLive.hub.*): a remote window reads them from Machine/settings.json. */
  machineSettings?: Record<string, unknown>;
  /** User settings added to (or overriding) the quiet defaults below, e.g. a colour theme. */
  userSettings?: Record<string, unknown>;
}

/** What VS Code leaves in /tmp: vscode-ipc-*.sock, vscode-git-*.sock, the TypeScript server's vscode-typescript0/. */
const ipcSockets = () => new Set(readdirSync('/tmp').filter((f) => f.startsWith('vscode-')));

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'gunicorn-live-cs-'));
  const dirs = { userData: join(base, 'user-data'), extensions: join(base, 'extensions'), xdg: join(base, 'xdg') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  // Quiet, deterministic workbench: no welcome page, no trust prompt, no telemetry banner.
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': Boolean(opts.trust),
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'window.restoreWindows': 'none',
    ...opts.userSettings,
  }, null, 2));
  if (opts.machineSettings) {
    mkdirSync(join(dirs.userData, 'Machine'), { recursive: true });
    writeFileSync(join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings, null, 2));
  }
  const socketsBefore = ipcSockets();
  const env = {
    ...process.env,
    ...opts.env,
    // Node 24 for code-server only; the project itself builds on the machine's Node.
    PATH: `${opts.toolchain.nodeBin}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(dirs.xdg, 'config'),
    XDG_DATA_HOME: join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
  };
  const node = join(opts.toolchain.nodeBin, 'node');
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  for (const vsix of opts.vsixes ?? []) {
    const r = spawnSync(node, [opts.toolchain.codeServerEntry, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  }

  const port = await freePort();
  const log = createWriteStream(opts.logFile);
  const child = spawn(node, [
    opts.toolchain.codeServerEntry, ...common,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(opts.trust ? [] : ['--disable-workspace-trust']),
    '--reconnection-grace-time', '5',
    '--vscode-option', 'enable-smoke-test-driver',
    opts.workspace,
  ], { env, detached: true /* setsid: its own process group, killed as one */, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && groupAlive(pid)) await sleep(100);
    killGroup(pid, 'SIGKILL');
    // Terminals run in sessions of their own: a Gunicorn a failed test left running is found by its cwd.
    killProcessesIn(opts.workspace);
    if (opts.keepLogsIn) keepChannelLogs(dirs.userData, opts.keepLogsIn);
    for (const s of ipcSockets()) if (!socketsBefore.has(s)) rmSync(join('/tmp', s), { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
    log.end();
  };

  try {
    await waitForHealth(url, child, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, pid, stop };
}

async function waitForHealth(url: string, child: ReturnType<typeof spawn>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`code-server was not healthy within ${timeoutMs} ms`);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs processes whose working directory is inside `dir` (only this run's temp workspace). */
export function killProcessesIn(dir: string): number[] {
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) {
        process.kill(Number(entry), 'SIGKILL');
        killed.push(Number(entry));
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return killed;
}

/** Copies every "Gunicorn Live" output-channel log of this run (one per window) for reading after the run. */
function keepChannelLogs(userData: string, to: string): void {
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const rel of readdirSync(join(userData, 'logs'), { recursive: true }) as string[]) {
    if (rel.endsWith('Gunicorn Live.log')) copyFileSync(join(userData, 'logs', rel), join(to, `window-${++n}.log`));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
