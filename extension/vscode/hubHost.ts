// The hub inside the extension host: started on first need (not at activation, so an idle window
// opens no port), shared by every view, closed on deactivate.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startHub, type Hub } from '../hub/hub';
import { errorLine, log } from './log';
import { settings } from './settings';

export class HubHost implements vscode.Disposable {
  private starting: Promise<Hub> | undefined;
  private hub: Hub | undefined;
  private readonly started = new vscode.EventEmitter<Hub>();
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
      this.started.fire(hub);
      return hub;
    } catch (err) {
      const line = `Gunicorn Live: the hub could not listen on ${s.hubHost}:${s.hubPort}: ${errorLine(err)}`;
      log().error(line);
      throw new Error(line);
    }
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
