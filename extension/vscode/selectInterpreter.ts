// "Select Interpreter…": the interpreters found for the folder (its virtual environments, the Python
// extension's, PATH's, the current setting), each with what it imports of what the app needs; the ones
// that can serve the app first. The choice is written to the folder's settings, where it takes effect.
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { chooseFolder, rememberedApp, detectInFolder } from './appDetect';
import { describeProbe, type FoundInterpreter, lacks, moduleLabel, requiredModules } from './interpreterChoice';
import { forgetProbes, probeInterpreter } from './interpreterProbe';
import { log } from './log';
import { notify } from './notify';
import { findInterpreters } from './python';
import { pick } from './quickPick';
import { settings } from './settings';

/** The packages the folder's app needs: the remembered app's, else the one detected, else Gunicorn's alone. */
async function modulesFor(folder: vscode.WorkspaceFolder): Promise<string[]> {
  const candidates = await detectInFolder(folder);
  const remembered = rememberedApp(folder);
  const app = remembered ? candidates.find((c) => c.app === remembered.app) ?? remembered : candidates.filter((c) => !c.alternative)[0];
  return requiredModules(app ?? {});
}

function shortPath(folder: vscode.WorkspaceFolder, path: string): string {
  const rel = relative(folder.uri.fsPath, path);
  return path.startsWith('/') && !rel.startsWith('..') ? rel : path;
}

export async function selectInterpreter(folderArg?: vscode.WorkspaceFolder): Promise<string | undefined> {
  const folder = folderArg ?? (await chooseFolder());
  if (!folder) return undefined;
  // Asked afresh: the user may have just made a venv or installed into one.
  forgetProbes();
  const modules = await modulesFor(folder);
  const current = settings(folder.uri).pythonPath;
  const found: FoundInterpreter[] = await findInterpreters(folder, modules);
  if (current && !found.some((f) => f.path === current)) {
    found.unshift({ path: current, source: 'gunicornLive.pythonPath', probe: await probeInterpreter(current, modules) });
  }
  const fits = (f: FoundInterpreter) => !f.probe.error && lacks(f.probe, modules).length === 0;
  const ordered = [...found.filter(fits), ...found.filter((f) => !fits(f))];
  const items = ordered.map((f) => ({
    label: `${fits(f) ? '$(check)' : '$(circle-slash)'} ${shortPath(folder, f.path)}`,
    description: f.path === current ? `${f.source} · current` : f.source,
    detail: describeProbe(f.probe, modules),
    path: f.path as string | undefined,
  }));
  items.push({ label: '$(folder-opened) Browse for an interpreter…', description: '', detail: 'A python executable anywhere on this machine', path: undefined });
  const picked = await pick(items, {
    title: `Gunicorn Live: the Python that runs Gunicorn in ${folder.name} (needs ${modules.map(moduleLabel).join(', ')})`,
    placeHolder: 'Saved in this folder\'s settings (gunicornLive.pythonPath)',
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  let path = picked.path;
  if (!path) {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this interpreter', defaultUri: folder.uri });
    path = uris?.[0]?.fsPath;
    if (!path) return undefined;
  }
  await vscode.workspace.getConfiguration('gunicornLive', folder.uri).update('pythonPath', path, vscode.ConfigurationTarget.WorkspaceFolder);
  const probe = await probeInterpreter(path, modules);
  log().info(`Select Interpreter: ${folder.name} launches with ${path} (${describeProbe(probe, modules)})`);
  const missing = probe.error ? modules : lacks(probe, modules);
  if (missing.length > 0) {
    notify('warning', `Gunicorn Live: ${path} is saved for ${folder.name}, but ${probe.error ?? `it cannot import ${missing.map(moduleLabel).join(', ')}`}.`);
  }
  return path;
}
