// The Gunicorn masters this window started under the debugger, by pid: "Stop Server" ends their debug
// session, which stops the master and its workers at once (a SIGTERM would leave a worker paused at a
// breakpoint running until Gunicorn's graceful timeout).
import * as vscode from 'vscode';

/** Set on the debug configurations launchWithDebugger starts (debug adapters ignore unknown keys). */
export const LAUNCH_MARKER = 'gunicornLiveLaunch';

export class DebugLaunched implements vscode.Disposable {
  private readonly sessions = new Map<number, vscode.DebugSession>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      // debugpy's `process` event names the debuggee's pid: for the launched session, the Gunicorn master.
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => {
          if (!session.configuration[LAUNCH_MARKER] || session.parentSession) return undefined;
          return {
            onDidSendMessage: (m: { type?: string; event?: string; body?: { systemProcessId?: unknown } }) => {
              if (m.type === 'event' && m.event === 'process' && typeof m.body?.systemProcessId === 'number') {
                this.sessions.set(m.body.systemProcessId, session);
              }
            },
          };
        },
      }),
      vscode.debug.onDidTerminateDebugSession((ended) => {
        for (const [pid, session] of this.sessions) if (session.id === ended.id) this.sessions.delete(pid);
      }),
    );
  }

  sessionOf(masterPid: number): vscode.DebugSession | undefined {
    return this.sessions.get(masterPid);
  }

  all(): number[] {
    return [...this.sessions.keys()];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
