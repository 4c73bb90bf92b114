// The Problems panel's "Gunicorn Live" entries: the hub's request_exception events (exceptionProblems.ts
// maps them) as one DiagnosticCollection. A Problem goes when its server stops or is relaunched (a new
// server), and when its file is saved (the traceback describes the code as it ran; if the exception
// happens again, the next event files it again at the line it then has).
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { Hub } from '../../hub/hub';
import type { LifecycleEvent } from '../../protocol/agent';
import type { ServerView } from '../../protocol/ui';
import type { HubHost } from '../hubHost';
import { READ_ONLY_SCHEME } from '../readOnlyFiles';
import { describeOccurrences, ExceptionProblems, type ExceptionProblem } from './exceptionProblems';

export const DIAGNOSTIC_SOURCE = 'Gunicorn Live';

export class ExceptionDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('gunicornLive.exceptions');
  private readonly problems = new ExceptionProblems((file) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) !== undefined);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private pending: NodeJS.Timeout | undefined;

  constructor(hubs: HubHost) {
    const watch = (hub: Hub) => {
      const onEvent = (id: string, event: LifecycleEvent) => {
        if (event.type === 'request_exception' && this.problems.add(id, event)) this.refresh();
      };
      const onServer = (server: ServerView) => {
        if (!server.connected && this.problems.clearServer(server.id)) this.refresh();
      };
      const onRemoved = (id: string) => {
        if (this.problems.clearServer(id)) this.refresh();
      };
      hub.store.on('event', onEvent);
      hub.store.on('server', onServer);
      hub.store.on('removed', onRemoved);
      this.disposables.push({ dispose: () => { hub.store.off('event', onEvent); hub.store.off('server', onServer); hub.store.off('removed', onRemoved); } });
    };
    if (hubs.current) watch(hubs.current);
    this.disposables.push(
      hubs.onDidStart(watch),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.scheme === 'file' && this.problems.clearFile(doc.uri.fsPath)) this.refresh();
      }),
    );
  }

  /** Redraws at most every 100 ms: a burst of events (a replay after a reconnect) is one update. */
  private refresh(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, 100);
  }

  private draw(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of this.problems.list()) {
      // Frames come from the agent: only files on this machine get Problems (a server elsewhere has its own paths).
      if (!isAbsolute(p.file) || !existsSync(p.file)) continue;
      const list = byFile.get(p.file) ?? [];
      list.push(toDiagnostic(p));
      byFile.set(p.file, list);
    }
    this.collection.clear();
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(p: ExceptionProblem): vscode.Diagnostic {
  const line = p.line - 1;
  const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), p.message, vscode.DiagnosticSeverity.Error);
  d.source = DIAGNOSTIC_SOURCE;
  // The occurrences first, then the whole traceback as Python prints it (outermost first): each frame a link.
  d.relatedInformation = [
    new vscode.DiagnosticRelatedInformation(location(p.file, p.line), `${describeOccurrences(p)}; latest ${new Date(p.at * 1000).toLocaleTimeString()}`),
    ...p.stack.map((f, i) => new vscode.DiagnosticRelatedInformation(location(f.file, f.line),
      `${i === p.stack.length - 1 ? 'raised in' : 'in'} ${f.function}`)),
  ];
  return d;
}

function location(file: string, line: number): vscode.Location {
  const onDisk = vscode.Uri.file(file);
  // Like a stack frame in the dashboard: a file outside the workspace opens read-only (readOnlyFiles.ts).
  const uri = vscode.workspace.getWorkspaceFolder(onDisk) ? onDisk : onDisk.with({ scheme: READ_ONLY_SCHEME });
  const at = Math.max(0, line - 1);
  return new vscode.Location(uri, new vscode.Range(at, 0, at, 0));
}
