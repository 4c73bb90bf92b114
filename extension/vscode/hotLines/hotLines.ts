// The hot lines, wired: every REFRESH_MS while a workspace Python file is visible and the toggle is on,
// the model re-reads the hub's profiles (if frames came); then decorations and CodeLenses follow.
// Never starts a hub: with none running there is nothing to show.
import * as vscode from 'vscode';
import type { HubHost } from '../hubHost';
import { HotLinesCodeLens } from './hotLinesCodeLens';
import { HotLinesDecorations, isHotLinesDocument, type HotLine } from './hotLinesDecorations';
import { HotLinesModel, REFRESH_MS } from './hotLinesModel';
import { HotLinesToggle, TOGGLE_COMMAND } from './hotLinesToggle';

export class HotLines implements vscode.Disposable {
  readonly model: HotLinesModel;
  readonly toggle = new HotLinesToggle();
  private readonly decorations: HotLinesDecorations;
  private readonly lenses: HotLinesCodeLens;
  private readonly disposables: vscode.Disposable[];
  private readonly timer: NodeJS.Timeout;

  constructor(extensionUri: vscode.Uri, private readonly hubs: HubHost) {
    this.model = new HotLinesModel(hubs);
    this.decorations = new HotLinesDecorations(extensionUri, this.model);
    this.lenses = new HotLinesCodeLens(this.model, () => this.toggle.enabled);
    this.toggle.show(hubs.current !== undefined);
    this.disposables = [
      this.model, this.toggle, this.decorations, this.lenses,
      vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, this.lenses),
      vscode.commands.registerCommand(TOGGLE_COMMAND, () => this.toggle.toggle()),
      hubs.onDidStart(() => this.toggle.show(true)),
      this.model.onDidChange(() => this.redraw()),
      this.toggle.onDidChange((on) => {
        if (on) this.model.refresh(Date.now(), true);
        this.redraw();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorations.render(this.toggle.enabled)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gunicornLive.profile.window') || e.affectsConfiguration('gunicornLive.hotLines.mode')) this.model.refresh(Date.now(), true);
      }),
    ];
    this.timer = setInterval(() => this.tick(), REFRESH_MS);
  }

  private tick(): void {
    if (!this.hubs.current || !this.toggle.enabled) return;
    if (!vscode.window.visibleTextEditors.some((e) => isHotLinesDocument(e.document))) return;
    this.model.refresh();
  }

  private redraw(): void {
    this.decorations.render(this.toggle.enabled);
    this.lenses.refresh();
  }

  /** What an editor shows (for the tests, through the extension's API). */
  shownIn(editor: vscode.TextEditor): HotLine[] {
    return this.decorations.shownIn(editor);
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
