// A `gunicorn` task's definition (or a debug launch) as a launch plan: the definition and the settings'
// defaults become Gunicorn arguments (taskGunicornArgs); extension/launch injects the agent, as for the CLI.
// Pure (no `vscode`), so the task, the debugger and "attach" cannot drift apart.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { bindInConfig, bindsIn, configComputesBind, DEFAULT_BIND } from '../launch/bind';
import { extractConfig, instrumentedGunicorn, userConfigFor } from '../launch/commandLine';
import { STDERR_COPY_VAR } from '../launch/agentEnv';

/** The `gunicorn` task type's definition (package.json contributes.taskDefinitions). */
export interface GunicornTaskDefinition {
  type: 'gunicorn';
  /** WSGI_APP, e.g. `app:app`; may be left out when a config sets wsgi_app. */
  app?: string;
  /** The user's Gunicorn config file; the agent's shim loads it and chains its hooks. */
  config?: string;
  /** Further Gunicorn arguments, passed through unchanged. */
  args?: string[];
  workers?: number;
  timeout?: number;
  workerClass?: string;
  /** Folder Gunicorn runs in, relative to the workspace folder. */
  cwd?: string;
  /** Where Gunicorn listens (`--bind`); beats every other bind (a launch sets it when the port is taken). */
  bind?: string;
}

export interface LaunchContext {
  python: string;
  folderPath: string;
  agentUrl: string;
  token: string;
  sampleInterval: number;
  defaultWorkers: number;
  defaultTimeout: number;
  /** Debug launches run one worker that is never timed out, so a breakpoint does not get it killed. */
  debug?: boolean;
  /** gunicornLive.bind: used when neither the task's arguments nor `def.bind` name one. */
  bind?: string;
  /** gunicornLive.args: Gunicorn arguments before the task's own. */
  args?: string[];
  /** A file Gunicorn's stderr is copied to while it starts, to say why it exited (see stderr_copy.py). */
  stderrCopy?: string;
}

export interface LaunchPlan {
  /** The interpreter; `args` start with our Gunicorn launcher script (server-agent/launcher/gunicorn). */
  command: string;
  args: string[];
  /** Added to the inherited environment (a task's env is merged into VS Code's). */
  env: Record<string, string>;
  cwd: string;
}

const hasOption = (args: string[], names: string[]) =>
  args.some((a) => names.includes(a) || names.some((n) => n.startsWith('--') && a.startsWith(`${n}=`)));

/** Drops `-w N`, `--workers=N` and the like (debug launches decide those). */
function dropOptions(args: string[], names: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (names.includes(args[i])) i += 1;
    else if (!names.some((n) => n.startsWith('--') && args[i].startsWith(`${n}=`))) rest.push(args[i]);
  }
  return rest;
}

/** Drops `-bX` (a short option with its value attached). */
const dropShortAttached = (args: string[], flag: string) => args.filter((a) => !(a.startsWith(flag) && a.length > flag.length && !a.startsWith('--')));

/**
 * Where the plan's Gunicorn will listen: its command line's binds, else a literal `bind` in the config in
 * play, else Gunicorn's default; the config to run when it computes its bind; null for a `python:` config.
 */
export function plannedBinds(def: GunicornTaskDefinition, ctx: LaunchContext): string[] | { computedIn: string; cwd: string } | null {
  const args = taskGunicornArgs(def, ctx);
  const binds = bindsIn(args);
  if (binds.length > 0) return binds;
  const cwd = taskCwd(def, ctx.folderPath);
  const { config } = extractConfig([...(ctx.args ?? []), ...(def.args ?? [])]);
  const file = userConfigFor(config ?? def.config ?? null, cwd);
  if (!file) return [DEFAULT_BIND];
  if (file.startsWith('python:')) return null;
  // `bind = os.environ["BIND"]` and the like: the caller asks the interpreter (bindsOfConfig).
  if (configComputesBind(file)) return { computedIn: file, cwd };
  return [bindInConfig(file) ?? DEFAULT_BIND];
}

export function taskCwd(def: GunicornTaskDefinition, folderPath: string): string {
  return def.cwd ? (isAbsolute(def.cwd) ? def.cwd : join(folderPath, def.cwd)) : folderPath;
}

/** Gunicorn's arguments for a task definition: the user's, with the settings' defaults where nothing else decides. */
export function taskGunicornArgs(def: GunicornTaskDefinition, ctx: LaunchContext): string[] {
  const cwd = taskCwd(def, ctx.folderPath);
  const { config, rest } = extractConfig([...(ctx.args ?? []), ...(def.args ?? [])]);
  const userConfig = config ?? def.config;
  const configInPlay = Boolean(userConfig) || existsSync(join(cwd, 'gunicorn.conf.py'));
  const gunicornArgs: string[] = userConfig ? ['-c', userConfig] : [];

  let extra = rest;
  const bindOptions = ['-b', '--bind'];
  if (def.bind) {
    extra = dropOptions(dropShortAttached(extra, '-b'), bindOptions);
    gunicornArgs.push('--bind', def.bind);
  } else if (ctx.bind && !hasOption(extra, bindOptions) && !extra.some((a) => /^-b./.test(a))) {
    gunicornArgs.push('--bind', ctx.bind);
  }
  if (ctx.debug) {
    gunicornArgs.push('--workers', '1', '--timeout', '0');
    extra = dropOptions(rest, ['-w', '--workers', '-t', '--timeout']);
  } else {
    // Defaults from settings only where nothing else decides: command-line options beat a config file.
    const workers = def.workers ?? (configInPlay ? undefined : ctx.defaultWorkers);
    const timeout = def.timeout ?? (configInPlay ? undefined : ctx.defaultTimeout);
    if (workers !== undefined && !hasOption(rest, ['-w', '--workers'])) gunicornArgs.push('--workers', String(workers));
    if (timeout !== undefined && !hasOption(rest, ['-t', '--timeout'])) gunicornArgs.push('--timeout', String(timeout));
  }
  if (def.workerClass && !hasOption(rest, ['-k', '--worker-class'])) gunicornArgs.push('--worker-class', def.workerClass);
  gunicornArgs.push(...extra);
  if (def.app) gunicornArgs.push(def.app);
  return gunicornArgs;
}

/** The plan a task or a debug launch runs: the instrumented Gunicorn, with only what it adds to VS Code's environment. */
export function taskLaunchPlan(def: GunicornTaskDefinition, ctx: LaunchContext): LaunchPlan {
  const cwd = taskCwd(def, ctx.folderPath);
  const gunicorn = instrumentedGunicorn({
    python: ctx.python, gunicornArgs: taskGunicornArgs(def, ctx), cwd, agentUrl: ctx.agentUrl, token: ctx.token, sampleInterval: ctx.sampleInterval,
  });
  // The task's terminal shows Gunicorn's log as it comes.
  const env: Record<string, string> = { ...gunicorn.added, PYTHONUNBUFFERED: '1' };
  if (ctx.stderrCopy) env[STDERR_COPY_VAR] = ctx.stderrCopy;
  return { command: gunicorn.command, args: gunicorn.args, env, cwd };
}

/** A readable one-line form of a plan, for the output channel (the token is left out). */
export function describePlan(plan: LaunchPlan): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env = Object.entries(plan.env)
    .map(([k, v]) => `${k}=${k === 'GUNICORN_LIVE_TOKEN' ? '…' : quote(v)}`)
    .join(' ');
  return `(cd ${quote(plan.cwd)} && ${env} ${[plan.command, ...plan.args].map(quote).join(' ')})`;
}
