// Commands on one running server: Reload Workers (HUP), Reopen Logs (USR1), Add Worker (TTIN), Remove
// Worker (TTOU), Stop Server. The server comes from the tree item, an id argument, or a QuickPick.
import * as vscode from 'vscode';
import type { AllowedSignal } from '../protocol/agent';
import type { ServerView } from '../protocol/ui';
import type { HubHost } from './hubHost';
import type { DebugLaunched } from './debugLaunched';
import type { LaunchedServers } from './launched';
import { errorLine, log } from './log';
import type { TreeNode } from './serversTree';

export type ServerArg = TreeNode | string | undefined;

/** Which server a command is about; undefined when there is none or the user cancelled. */
export async function pickServer(hubs: HubHost, arg: ServerArg, action: string): Promise<ServerView | undefined> {
  const servers = (hubs.current?.store.servers() ?? []).filter((s) => s.connected);
  if (typeof arg === 'string') return servers.find((s) => s.id === arg || String(s.masterPid) === arg);
  if (arg?.kind === 'server') return servers.find((s) => s.id === arg.server.id);
  if (arg?.kind === 'worker') return servers.find((s) => s.id === arg.serverId);
  if (servers.length === 0) {
    void vscode.window.showInformationMessage('Gunicorn Live: no server is connected. Launch one first.');
    return undefined;
  }
  if (servers.length === 1) return servers[0];
  const picked = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: s.app, description: `pid ${s.masterPid} · ${s.bind.join(', ')}`, server: s })),
    { title: `Gunicorn Live: ${action}`, placeHolder: 'Which server?' },
  );
  return picked?.server;
}

/** Sends `signal` to the server's master through its agent. Returns whether the agent acknowledged it. */
export async function signalServer(hubs: HubHost, arg: ServerArg, signal: AllowedSignal, action: string): Promise<boolean> {
  const server = await pickServer(hubs, arg, action);
  const hub = hubs.current;
  if (!server || !hub) return false;
  log().info(`${action}: SIG${signal} to ${server.app} (master ${server.masterPid})`);
  const result = await hub.sendSignal(server.id, signal).catch((err) => ({ ok: false, error: errorLine(err) }));
  if (!result.ok) {
    log().error(`${action} failed: ${result.error ?? 'no reason given'}`);
    void vscode.window.showErrorMessage(`Gunicorn Live: ${action} failed: ${result.error ?? 'no reason given'}`);
  }
  return result.ok;
}

/**
 * Stops a server gracefully (SIGTERM). A master this window launched is signalled directly, so it stops
 * even if its agent lost the hub; one started elsewhere is asked through its agent; one launched under
 * the debugger stops with its debug session.
 */
export async function stopServer(hubs: HubHost, launched: LaunchedServers, debugLaunched: DebugLaunched, arg: ServerArg): Promise<boolean> {
  const server = await pickServer(hubs, arg, 'Stop Server');
  if (!server) return false;
  const session = debugLaunched.sessionOf(server.masterPid);
  if (session) {
    log().info(`Stop Server: ending the debug session "${session.name}" (master ${server.masterPid})`);
    await debugLaunched.stop(session);
    return true;
  }
  if (launched.has(server.masterPid)) {
    log().info(`Stop Server: SIGTERM to ${server.app} (master ${server.masterPid})`);
    return launched.terminate(server.masterPid);
  }
  return signalServer(hubs, server.id, 'TERM', 'Stop Server');
}
