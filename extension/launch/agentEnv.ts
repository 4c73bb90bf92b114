// The environment an agent needs to find its hub: the one definition the CLI, the VS Code task, the
// debug launch and the "attach"/`serve` instructions all use.
import { delimiter } from 'node:path';
import { AGENT_DIR } from './paths';

export interface AgentTarget {
  /** The hub's agent socket, e.g. ws://127.0.0.1:41234/ws/agent. */
  agentUrl: string;
  token: string;
  /** Seconds between samples; unset: the agent's default. */
  sampleInterval?: number;
}

/** Names the shim reads the user's own config file from (a path, `file:PATH` or `python:MODULE`). */
export const USER_CONFIG_VAR = 'GUNICORN_LIVE_USER_CONFIG';
/** A file the launcher copies Gunicorn's stderr to while it starts (server-agent/gunicorn_live/stderr_copy.py). */
export const STDERR_COPY_VAR = 'GUNICORN_LIVE_STDERR_COPY';

/**
 * What an agent's environment adds to the one Gunicorn inherits: the agent's folder in front of the
 * inherited PYTHONPATH, where the hub is, and the user's config for the shim when there is one.
 */
export function agentEnvironment(target: AgentTarget, inheritedPythonPath?: string, userConfig?: string | null): Record<string, string> {
  const env: Record<string, string> = {
    PYTHONPATH: [AGENT_DIR, inheritedPythonPath].filter(Boolean).join(delimiter),
    GUNICORN_LIVE_URL: target.agentUrl,
    GUNICORN_LIVE_TOKEN: target.token,
  };
  if (target.sampleInterval !== undefined) env.GUNICORN_LIVE_INTERVAL = String(target.sampleInterval);
  if (userConfig) env[USER_CONFIG_VAR] = userConfig;
  return env;
}
