// Starts Gunicorn with the agent injected: our shim becomes `-c`, and the user's own config (their `-c`,
// else ./gunicorn.conf.py) is handed to the shim, which loads it and chains its hooks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { AGENT_DIR, AGENT_SHIM } from './paths';

export interface GunicornLaunch {
  python: string;
  /** Gunicorn's own arguments, passed through except for `-c/--config`. */
  gunicornArgs: string[];
  agentUrl: string;
  token: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface GunicornCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Splits the user's config file out of Gunicorn's arguments. */
export function extractConfig(args: string[]): { config: string | null; rest: string[] } {
  const rest: string[] = [];
  let config: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-c' || arg === '--config') {
      config = args[i + 1] ?? null;
      i += 1;
    } else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else if (arg.startsWith('-c') && arg.length > 2 && !arg.startsWith('--')) config = arg.slice(2);
    else rest.push(arg);
  }
  return { config, rest };
}

/** The command line that runs the instrumented Gunicorn; also what a VS Code task executes. */
export function gunicornCommand(launch: GunicornLaunch): GunicornCommand {
  const cwd = launch.cwd ?? process.cwd();
  const base = launch.env ?? process.env;
  const { config, rest } = extractConfig(launch.gunicornArgs);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PYTHONPATH: [AGENT_DIR, base.PYTHONPATH].filter(Boolean).join(delimiter),
    GUNICORN_LIVE_URL: launch.agentUrl,
    GUNICORN_LIVE_TOKEN: launch.token,
  };
  const userConfig = config ?? (existsSync(resolve(cwd, 'gunicorn.conf.py')) ? 'gunicorn.conf.py' : null);
  if (userConfig) {
    env.GUNICORN_LIVE_USER_CONFIG = userConfig.startsWith('python:') ? userConfig : resolve(cwd, userConfig);
  } else {
    delete env.GUNICORN_LIVE_USER_CONFIG;
  }
  return { command: launch.python, args: ['-m', 'gunicorn', '-c', AGENT_SHIM, ...rest], env };
}

export function launchGunicorn(launch: GunicornLaunch): ChildProcess {
  const { command, args, env } = gunicornCommand(launch);
  return spawn(command, args, { cwd: launch.cwd, env, stdio: 'inherit' });
}
