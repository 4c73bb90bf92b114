// Decides what to serve in a workspace folder: the remembered choice, else the one detected app (a Django
// project's chosen way, with a toast saying why and offering Change App…), else a QuickPick whose answer is
// remembered in the folder's settings (so the question is asked once). Change App… asks again.
import * as vscode from 'vscode';
import { type AppCandidate, detectApps, type SourceFile } from './appCandidates';
import { log } from './log';
import { notify } from './notify';
import { pick } from './quickPick';
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
    // Django's choice of WSGI or ASGI also reads its settings and views (appCandidates.ts djangoNeedsAsgi).
    if (!/Flask|FastAPI|create_app|get_wsgi_application|get_asgi_application|DJANGO_SETTINGS_MODULE|wsgi_app|INSTALLED_APPS|ASGI_APPLICATION|async\s+def/.test(text)) continue;
    files.push({ rel: vscode.workspace.asRelativePath(uri, false), text });
  }
  return files;
}

export async function detectInFolder(folder: vscode.WorkspaceFolder): Promise<AppCandidate[]> {
  return detectApps(await sourceFiles(folder));
}

export const CHANGE_APP = 'gunicornLive.changeApp';

/** The remembered choice, if any (with its framework, when detection knows the app). */
export function rememberedApp(folder: vscode.WorkspaceFolder): AppCandidate | undefined {
  const s = settings(folder.uri);
  if (!s.app && !s.config) return undefined;
  return { app: s.app, config: s.config, workerClass: s.workerClass, cwd: s.cwd, label: s.app || s.config, detail: 'from settings' };
}

/** The remembered choice with its framework filled in from detection (which packages its interpreter needs). */
async function rememberedWithFramework(folder: vscode.WorkspaceFolder, remembered: AppCandidate): Promise<AppCandidate> {
  if (!remembered.app) return remembered;
  const same = (await detectInFolder(folder)).find((c) => c.app === remembered.app && c.cwd === remembered.cwd);
  return same ? { ...remembered, framework: same.framework } : remembered;
}

function itemsOf(candidates: AppCandidate[], current?: AppCandidate) {
  const isCurrent = (c: AppCandidate) => current !== undefined && c.app === current.app && c.config === current.config && c.cwd === current.cwd;
  return candidates.map((c) => ({ label: c.label, description: isCurrent(c) ? 'current' : c.alternative ? 'alternative' : undefined, detail: c.detail, candidate: c }));
}

/**
 * What to launch in `folder`, or undefined when the user cancelled or nothing was found (then the user has
 * been told how to name the app).
 */
export async function chooseApp(folder: vscode.WorkspaceFolder): Promise<AppCandidate | undefined> {
  const remembered = rememberedApp(folder);
  if (remembered) return rememberedWithFramework(folder, remembered);
  const candidates = await detectInFolder(folder);
  log().info(`App detection in ${folder.name}: ${candidates.map((c) => `${c.label}${c.alternative ? ' (alternative)' : ''}`).join(', ') || 'nothing found'}`);
  const chosen = candidates.filter((c) => !c.alternative);
  if (chosen.length === 1) {
    if (candidates.length > 1) {
      // A project with two ways to serve it (Django): say which one and why, and how to change it.
      notify('info', `Gunicorn Live: serving ${chosen[0].label} — ${chosen[0].detail}.`, { 'Change App…': () => vscode.commands.executeCommand(CHANGE_APP) });
    }
    return chosen[0];
  }
  if (candidates.length === 0) {
    notify('warning', 'Gunicorn Live: no Flask, Django or FastAPI app or gunicorn.conf.py with wsgi_app found. Name the app with Change App… (e.g. "myapp:app").', {
      'Change App…': () => vscode.commands.executeCommand(CHANGE_APP),
    });
    return undefined;
  }
  const picked = await pick(itemsOf(candidates), {
    title: 'Gunicorn Live: which app should Gunicorn serve?', placeHolder: 'The choice is saved in this folder\'s settings; Change App… asks again',
  });
  if (!picked) return undefined;
  await rememberApp(folder, picked.candidate);
  return picked.candidate;
}

/**
 * "Change App…": every detected way to serve the folder (alternatives too, each saying why it is or is not
 * the default), or a `module:variable` typed in. The choice goes to the folder's settings; returns it.
 */
export async function changeApp(folder: vscode.WorkspaceFolder | undefined): Promise<AppCandidate | undefined> {
  if (!folder) return undefined;
  const candidates = await detectInFolder(folder);
  const typed = { label: '$(edit) Enter module:variable…', detail: 'e.g. myapp:app, or mypkg:create_app()', candidate: undefined };
  const picked = await pick<{ label: string; detail: string; candidate?: AppCandidate }>([...itemsOf(candidates, rememberedApp(folder)), typed], {
    title: `Gunicorn Live: which app should Gunicorn serve in ${folder.name}?`, placeHolder: 'Saved in this folder\'s settings (gunicornLive.app)',
  });
  if (!picked) return undefined;
  let choice = picked.candidate;
  if (!choice) {
    const app = await vscode.window.showInputBox({
      title: 'Gunicorn Live: the app to serve', prompt: 'Gunicorn\'s WSGI_APP argument', placeHolder: 'myapp:app',
      validateInput: (v) => (/^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(.*\))?$/.test(v.trim()) ? undefined : 'module:variable, e.g. myapp:app'),
    });
    if (!app) return undefined;
    choice = { app: app.trim(), config: '', workerClass: '', cwd: '', label: app.trim(), detail: 'typed in' };
  }
  await rememberApp(folder, choice);
  log().info(`Change App: ${folder.name} serves ${choice.label} (${choice.detail})`);
  return choice;
}

/** The folder to launch in: the active editor's, the only one, or the user's pick. */
export async function chooseFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const owner = active && vscode.workspace.getWorkspaceFolder(active);
  return owner ?? vscode.window.showWorkspaceFolderPick({ placeHolder: 'Launch Gunicorn in which folder?' });
}
