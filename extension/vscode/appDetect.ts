// Decides what to serve in a workspace folder: the remembered choice, else the one detected app, else a
// QuickPick whose answer is remembered in the folder's settings (so the question is asked once).
import * as vscode from 'vscode';
import { type AppCandidate, detectApps, type SourceFile } from './appCandidates';
import { log } from './log';
import { notify } from './notify';
import { rememberApp, settings } from './settings';

const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/env/**,**/site-packages/**,**/.git/**,**/__pycache__/**,**/.tox/**,**/build/**,**/dist/**}';
const MAX_FILES = 400;
const MAX_BYTES = 256 * 1024;

/** Python sources that may define an app (cheap text filter before the rules in appCandidates.ts). */
async function sourceFiles(folder: vscode.WorkspaceFolder): Promise<SourceFile[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), EXCLUDE, MAX_FILES);
  const files: SourceFile[] = [];
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_BYTES) continue;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    if (!/Flask|FastAPI|create_app|get_wsgi_application|get_asgi_application|DJANGO_SETTINGS_MODULE|wsgi_app/.test(text)) continue;
    files.push({ rel: vscode.workspace.asRelativePath(uri, false), text });
  }
  return files;
}

export async function detectInFolder(folder: vscode.WorkspaceFolder): Promise<AppCandidate[]> {
  return detectApps(await sourceFiles(folder));
}

/** The remembered choice, if any. */
export function rememberedApp(folder: vscode.WorkspaceFolder): AppCandidate | undefined {
  const s = settings(folder.uri);
  if (!s.app && !s.config) return undefined;
  return { app: s.app, config: s.config, workerClass: s.workerClass, cwd: s.cwd, label: s.app || s.config, detail: 'from settings' };
}

/**
 * What to launch in `folder`, or undefined when the user cancelled or nothing was found (then the user has
 * been told how to name the app).
 */
export async function chooseApp(folder: vscode.WorkspaceFolder): Promise<AppCandidate | undefined> {
  const remembered = rememberedApp(folder);
  if (remembered) return remembered;
  const candidates = await detectInFolder(folder);
  log().info(`App detection in ${folder.name}: ${candidates.map((c) => c.label).join(', ') || 'nothing found'}`);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    notify('warning', 'Gunicorn Live: no Flask, Django or FastAPI app or gunicorn.conf.py with wsgi_app found. Set gunicornLive.app (e.g. "myapp:app").', {
      'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', 'gunicornLive.app'),
    });
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: c.label, detail: c.detail, candidate: c })),
    { title: 'Gunicorn Live: which app should Gunicorn serve?', placeHolder: 'The choice is saved in this folder\'s settings' },
  );
  if (!picked) return undefined;
  await rememberApp(folder, picked.candidate);
  return picked.candidate;
}

/** The folder to launch in: the active editor's, the only one, or the user's pick. */
export async function chooseFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const owner = active && vscode.workspace.getWorkspaceFolder(active);
  return owner ?? vscode.window.showWorkspaceFolderPick({ placeHolder: 'Launch Gunicorn in which folder?' });
}
