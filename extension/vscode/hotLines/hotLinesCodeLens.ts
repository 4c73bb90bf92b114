// A CodeLens above each sampled function of a workspace Python file: its share of the request samples and
// the routes that reach it. The `def` is found by scanning up from the function's first sampled line
// (frames carry the running line, not the definition's), so only sampled functions cost anything.
import * as vscode from 'vscode';
import { formatShare } from '../../hub/profile/lineHeat';
import type { HotLinesModel } from './hotLinesModel';
import { isHotLinesDocument } from './hotLinesDecorations';

/** Routes named in one lens; the rest are counted. */
const ROUTES_SHOWN = 3;
/** How far above its first sampled line a function's `def` is looked for. */
const SCAN_LINES = 2000;

export class HotLinesCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly model: HotLinesModel, private readonly isOn: () => boolean) {}

  /** Asks VS Code to read the lenses again (after a recompute or a toggle). */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.isOn() || !isHotLinesDocument(doc)) return [];
    const hot = this.model.file(doc.uri);
    if (!hot) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const fn of hot.heat.functions) {
      if (fn.function.startsWith('<') || fn.firstLine < 1 || fn.firstLine > doc.lineCount) continue; // <module>, <lambda>…
      const at = defLine(doc, fn.function, fn.firstLine - 1);
      const routes = fn.routes.slice(0, ROUTES_SHOWN).map((r) => `${r.route} ${formatShare(r.samples, fn.total)}`);
      if (fn.routes.length > ROUTES_SHOWN) routes.push(`${fn.routes.length - ROUTES_SHOWN} more`);
      const title = `$(flame) ${formatShare(fn.total, hot.samples)} of request time (${formatShare(fn.self, hot.samples)} self) · ${routes.join(', ')}`;
      lenses.push(new vscode.CodeLens(new vscode.Range(at, 0, at, 0), {
        title,
        tooltip: `Gunicorn Live: ${fn.function} — ${fn.total} of ${hot.samples} samples in requests. Click to profile ${fn.routes[0]?.route ?? 'its route'}.`,
        command: 'gunicornLive.profileRoute',
        arguments: [fn.routes[0]?.route],
      }));
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The 0-based line of `def name` at or above `from` (a qualified name's last part), else `from`. */
export function defLine(doc: vscode.TextDocument, qualified: string, from: number): number {
  const name = qualified.slice(qualified.lastIndexOf('.') + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const def = new RegExp(`^\\s*(?:async\\s+)?def\\s+${name}\\s*[(\\[]`);
  for (let i = from; i >= 0 && i > from - SCAN_LINES; i--) {
    if (def.test(doc.lineAt(i).text)) return i;
  }
  return from;
}
