// The command line of a Gunicorn with the agent injected, for `gunicorn-live run` and for VS Code's task and
// debug launch alike: our shim becomes `-c`, and the user's own config (their `-c`, else ./gunicorn.conf.py)
// is handed to the shim, which loads it and chains its hooks.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { agentEnvironment, USER_CONFIG_VAR, type AgentTarget } from './agentEnv';
import { AGENT_SHIM, GUNICORN_LAUNCHER } from './paths';

export interface GunicornLaunch extends AgentTarget {
  python: string;
  /** Gunicorn's own arguments, passed through except for `-c/--config`. */
  gunicornArgs: string[];
  /** The folder Gunicorn runs in. */
  cwd: string;
}

export interface InstrumentedGunicorn {
  /** The interpreter; `args` start with our Gunicorn launcher script (server-agent/launcher/gunicorn). */
  command: string;
  args: string[];
  /** Only what the launch adds to the environment Gunicorn inherits (a VS Code task's env is merged). */
  added: Record<string, string>;
  /** The whole environment: the inherited one with `added`, and without a stale user config. */
  env: NodeJS.ProcessEnv;
}

/** `--config` or an abbreviation argparse accepts for it (Gunicorn has no other option starting `--co`). */
const isConfigFlag = (flag: string) => flag.length >= 4 && '--config'.startsWith(flag);

/** Splits the user's config file out of Gunicorn's arguments. */
export function extractConfig(args: string[]): { config: string | null; rest: string[] } {
  const rest: string[] = [];
  let config: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    } else if (arg === '-c' || isConfigFlag(arg)) {
      config = args[i + 1] ?? null;
      i += 1;
    } else if (eq > 0 && isConfigFlag(arg.slice(0, eq))) config = arg.slice(eq + 1);
    else if (arg.startsWith('-c') && arg.length > 2 && !arg.startsWith('--')) config = arg.slice(2);
    else rest.push(arg);
  }
  return { config, rest };
}

/** The user's config as the shim takes it: `config` (absolute, or `python:…` as given), else ./gunicorn.conf.py when there is one. */
export function userConfigFor(config: string | null, cwd: string): string | null {
  if (config) return config.startsWith('python:') ? config : resolve(cwd, config);
  const standard = resolve(cwd, 'gunicorn.conf.py');
  return existsSync(standard) ? standard : null;
}

/** The instrumented Gunicorn for `launch`; `inherited` is the environment it would otherwise run in. */
export function instrumentedGunicorn(launch: GunicornLaunch, inherited: NodeJS.ProcessEnv = process.env): InstrumentedGunicorn {
  const { config, rest } = extractConfig(launch.gunicornArgs);
  const added = agentEnvironment(launch, inherited.PYTHONPATH, userConfigFor(config, launch.cwd));
  const env: NodeJS.ProcessEnv = { ...inherited, ...added };
  // A GUNICORN_LIVE_USER_CONFIG left in the shell must not pick a config this launch did not name.
  if (!(USER_CONFIG_VAR in added)) delete env[USER_CONFIG_VAR];
  return { command: launch.python, args: [GUNICORN_LAUNCHER, '-c', AGENT_SHIM, ...rest], added, env };
}
