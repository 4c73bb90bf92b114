// Showing or hiding the hot lines: the command "Toggle Hot Lines" and a status bar item that runs it,
// for this window's session; gunicornLive.hotLines.enabled decides the state a window starts in.
import * as vscode from 'vscode';
import { hotLinesSettings } from './hotLinesSettings';

export const TOGGLE_COMMAND = 'gunicornLive.toggleHotLines';

export class HotLinesToggle implements vscode.Disposable {
  private on = hotLinesSettings().enabled;
  private readonly item = vscode.window.createStatusBarItem('gunicornLive.hotLines', vscode.StatusBarAlignment.Left, 49);
  private readonly changed = new vscode.EventEmitter<boolean>();
  private readonly disposables: vscode.Disposable[] = [this.item, this.changed];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.item.name = 'Gunicorn Live: Hot Lines';
    this.item.command = TOGGLE_COMMAND;
    this.render();
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gunicornLive.hotLines.enabled')) this.set(hotLinesSettings().enabled);
    }));
  }

  get enabled(): boolean {
    return this.on;
  }

  set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    this.render();
    this.changed.fire(on);
  }

  toggle(): boolean {
    this.set(!this.on);
    return this.on;
  }

  /** The item shows once there is something to show (a hub running). */
  show(visible: boolean): void {
    if (visible) this.item.show();
    else this.item.hide();
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    this.item.text = this.on ? '$(flame) Hot Lines' : '$(eye-closed) Hot Lines';
    this.item.tooltip = `Gunicorn Live: the profile's hot lines are ${this.on ? 'shown' : 'hidden'} in Python editors. Click to ${this.on ? 'hide' : 'show'} them.`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
