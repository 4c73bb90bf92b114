// The debug configuration "Launch with Debugger" starts: no vscode import at run time, so it is tested in Node.
import type { DebugConfiguration } from 'vscode';
import { AGENT_DIR, PAUSE_POINT } from '../launch/paths';
import type { LaunchPlan } from './taskPlan';

/** Set on the debug configurations launchWithDebugger starts (debug adapters ignore unknown keys). */
export const LAUNCH_MARKER = 'gunicornLiveLaunch';

/** The debug configuration for a Gunicorn with one worker and no timeout. */
export function debugConfiguration(type: string, name: string, python: string, plan: LaunchPlan): DebugConfiguration {
  return {
    type,
    request: 'launch',
    name,
    python,
    // plan.args start with the launcher script (not `-m gunicorn`, which USR2's re-execution breaks).
    program: plan.args[0],
    args: plan.args.slice(1),
    cwd: plan.cwd,
    env: plan.env,
    // Gunicorn's log in a terminal, as for the task (the token travels in the launch request, not the command line).
    console: 'integratedTerminal',
    consoleTitle: name,
    justMyCode: true,
    // The agent is not the user's code: never step into it or stop in it, except where Pause stops a
    // worker that waits for a request (the first matching rule wins).
    rules: [{ path: PAUSE_POINT, include: true }, { path: AGENT_DIR, include: false }],
    // Workers are forked children of the master: follow them so breakpoints in views hit.
    subProcess: true,
    [LAUNCH_MARKER]: true,
  };
}
