// Runs the built CLI as a user would (node bin/gunicorn-live.js …) and reads what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'gunicorn-live.js');

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Waits for a line matching `pattern` and returns its match. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => output,
    exited,
    async line(pattern, timeoutMs = 20000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > end) {
          throw new Error(`no line matching ${pattern} (exit ${child.exitCode}); output:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Stops a CLI the way Ctrl-C would, and waits for it. */
export async function stopCli(cli: CliProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (cli.child.exitCode === null) cli.child.kill('SIGINT');
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 30000);
  const result = await cli.exited;
  clearTimeout(timer);
  return result;
}
