// Hot lines in the editor: a gutter heat mark (one decoration type per level) and an end-of-line text
// "▮ 38 % · GET /orders/{id} · 41 ms p50" on each line the profile sampled, in visible editors of
// workspace Python files. An editor whose lines did not change is left alone (no setDecorations call).
import * as vscode from 'vscode';
import { formatShare, heatLevel } from '../../hub/profile/lineHeat';
import { formatLatency } from '../../../webview/format';
import type { HotLinesModel } from './hotLinesModel';

export const HEAT_LEVELS = 5;
/** The gutter icons' colours (media/heat-N.svg), coolest first. */
const COLOURS = ['#e9c46a', '#f4a261', '#ee8a3c', '#e76f51', '#d62828'];

/** One decorated line, as the editor shows it (and the tests read it). */
export interface HotLine {
  /** 1-based, as the profile and the editor's line numbers say. */
  line: number;
  level: number;
  text: string;
  /** Samples passing through the line, and of them ending there. */
  total: number;
  self: number;
}

/** The files hot lines are drawn in: the workspace's Python files on disk. */
export function isHotLinesDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'python' && doc.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined;
}

export class HotLinesDecorations implements vscode.Disposable {
  private readonly types: vscode.TextEditorDecorationType[];
  /** What each editor shows now, with a signature to skip unchanged redraws. */
  private readonly shown = new Map<vscode.TextEditor, { signature: string; lines: HotLine[] }>();

  constructor(extensionUri: vscode.Uri, private readonly model: HotLinesModel) {
    this.types = COLOURS.map((colour, i) => vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', `heat-${i + 1}.svg`),
      gutterIconSize: 'contain',
      overviewRulerColor: colour,
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      isWholeLine: true,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      after: { color: colour, margin: '0 0 0 2em', fontStyle: 'normal' },
    }));
  }

  /** The lines of a document as they would be decorated now. */
  lines(doc: vscode.TextDocument): HotLine[] {
    const hot = this.model.file(doc.uri);
    if (!hot) return [];
    const out: HotLine[] = [];
    for (const [line, heat] of hot.heat.lines) {
      if (line < 1 || line > doc.lineCount) continue;
      const top = heat.routes[0];
      const p50 = top && this.model.p50(top.route);
      const parts = [`▮ ${formatShare(heat.total, hot.samples)}`];
      if (top) parts.push(top.route);
      if (p50 !== undefined) parts.push(`${formatLatency(p50)} p50`);
      out.push({ line, level: heatLevel(heat.total, hot.samples, HEAT_LEVELS), text: parts.join(' · '), total: heat.total, self: heat.self });
    }
    return out.sort((a, b) => a.line - b.line);
  }

  /** Redraws the visible editors whose hot lines changed; `on` false clears them all. */
  render(on: boolean): void {
    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of this.shown.keys()) if (!visible.has(editor)) this.shown.delete(editor);
    for (const editor of visible) {
      const lines = on && isHotLinesDocument(editor.document) ? this.lines(editor.document) : [];
      const signature = lines.map((l) => `${l.line}:${l.level}:${l.text}`).join('\n');
      const before = this.shown.get(editor);
      if (before ? before.signature === signature : lines.length === 0) continue;
      this.shown.set(editor, { signature, lines });
      for (let level = 1; level <= HEAT_LEVELS; level++) {
        editor.setDecorations(this.types[level - 1], lines.filter((l) => l.level === level).map((l) => {
          const end = editor.document.lineAt(l.line - 1).range.end;
          return { range: new vscode.Range(end, end), hoverMessage: hover(l), renderOptions: { after: { contentText: l.text } } };
        }));
      }
    }
  }

  /** What an editor shows now (the tests read this through the extension's API). */
  shownIn(editor: vscode.TextEditor): HotLine[] {
    return this.shown.get(editor)?.lines ?? [];
  }

  dispose(): void {
    for (const t of this.types) t.dispose();
    this.shown.clear();
  }
}

function hover(l: HotLine): vscode.MarkdownString {
  return new vscode.MarkdownString(`Gunicorn Live: ${l.total} samples pass through this line (${l.self} end on it): ${l.text.slice(2)}`);
}
