// The hub inside the extension host: started on first need (not at activation, so an idle window
// opens no port), shared by every view, closed on deactivate.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isLoopbackHost, startHub, type Hub } from '../hub/hub';
import { errorLine, log } from './log';
import { notify } from './notify';
import { settings } from './settings';

export class HubHost implements vscode.Disposable {
  private starting: Promise<Hub> | undefined;
  private hub: Hub | undefined;
  private readonly started = new vscode.EventEmitter<Hub>();
  /** The non-loopback host the user was already shown a warning for (once is enough). */
  private warnedHost: string | undefined;
  /** Fires once the hub listens; views subscribe to its store then. */
  readonly onDidStart = this.started.event;

  constructor(private readonly extensionPath: string) {}

  /** The running hub, if any (views use this to avoid starting one just to draw nothing). */
  get current(): Hub | undefined {
    return this.hub;
  }

  /** The hub, started now if it is not running. */
  get(): Promise<Hub> {
    this.starting ??= this.start().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async start(): Promise<Hub> {
    const s = settings();
    try {
      const hub = await startHub({ host: s.hubHost, port: s.hubPort, staticDir: join(this.extensionPath, 'dist', 'webview') });
      this.hub = hub;
      log().info(`Hub listening on ${hub.url} (agents: ${hub.agentUrl})`);
      if (!isLoopbackHost(hub.host)) this.warnRemote(hub.host);
      this.started.fire(hub);
      return hub;
    } catch (err) {
      const line = `Gunicorn Live: the hub could not listen on ${s.hubHost}:${s.hubPort}: ${errorLine(err)}`;
      log().error(line);
      throw new Error(line, { cause: err });
    }
  }

  /** The CLI's --allow-remote warning; here the setting is the explicit opt-in, so the hub starts anyway. */
  private warnRemote(host: string): void {
    const line = `The hub listens on ${host} (gunicornLive.hub.host), reachable from other machines; anyone with the token can signal your servers.`;
    log().warn(line);
    if (this.warnedHost === host) return;
    this.warnedHost = host;
    notify('warning', `Gunicorn Live: ${line}`, {
      'Open Setting': () => vscode.commands.executeCommand('workbench.action.openSettings', 'gunicornLive.hub.host'),
    });
  }

  async close(): Promise<void> {
    const hub = this.hub;
    this.hub = undefined;
    this.starting = undefined;
    if (hub) {
      await hub.close();
      log().info('Hub stopped');
    }
  }

  dispose(): void {
    void this.close();
    this.started.dispose();
  }
}
