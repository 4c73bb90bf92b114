// The Gunicorn masters this window started under the debugger, by pid: "Stop Server" ends their debug
// session, which stops the master and its workers at once (a SIGTERM would leave a worker paused at a
// breakpoint running until Gunicorn's graceful timeout).
import * as vscode from 'vscode';
import { LAUNCH_MARKER } from './debugConfiguration';
import { log } from './log';

export class DebugLaunched implements vscode.Disposable {
  private readonly sessions = new Map<number, vscode.DebugSession>();
  /** Master pid by session id, kept after the session ended (read when it ends: did it serve?). */
  private readonly masterPids = new Map<string, number>();
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
                this.masterPids.set(session.id, m.body.systemProcessId);
                if (this.masterPids.size > 50) this.masterPids.delete(this.masterPids.keys().next().value!);
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

  /**
   * Ends a session the way the Stop button does. VS Code's first stop asks the adapter to `terminate`
   * and waits for it; should the session outlive that (the adapter never says `terminated`), a second
   * stop sends `disconnect` with terminateDebuggee, as a second click on Stop would.
   */
  async stop(session: vscode.DebugSession, graceMs = 5000): Promise<void> {
    const ended = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { listener.dispose(); resolve(false); }, graceMs);
      const listener = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id !== session.id) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(true);
      });
    });
    await vscode.debug.stopDebugging(session);
    if (await ended) return;
    log().info(`Stop Server: "${session.name}" outlived terminate for ${graceMs} ms; disconnecting`);
    await vscode.debug.stopDebugging(session);
  }

  /** The Gunicorn master a launched debug session ran (also once it ended). */
  masterPidOf(sessionId: string): number | undefined {
    return this.masterPids.get(sessionId);
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
