// Typed access to the `gunicornLive.*` settings declared in package.json (contributes.configuration).
import * as vscode from 'vscode';

export interface Settings {
  pythonPath: string;
  hubHost: string;
  hubPort: number;
  sampleInterval: number;
  defaultWorkers: number;
  defaultTimeout: number;
  openDashboardOnLaunch: boolean;
  /** `--bind` for launched servers; empty: the task's, the config's or Gunicorn's default. */
  bind: string;
  /** Further Gunicorn arguments for launched servers. */
  args: string[];
  /** The remembered app choice (see appDetect.ts); empty when none was made. */
  app: string;
  config: string;
  workerClass: string;
  cwd: string;
}

export function settings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('gunicornLive', scope);
  return {
    pythonPath: c.get<string>('pythonPath', '').trim(),
    hubHost: c.get<string>('hub.host', '127.0.0.1').trim() || '127.0.0.1',
    hubPort: c.get<number>('hub.port', 0),
    sampleInterval: c.get<number>('sampleInterval', 1),
    defaultWorkers: c.get<number>('defaultWorkers', 2),
    defaultTimeout: c.get<number>('defaultTimeout', 30),
    openDashboardOnLaunch: c.get<boolean>('openDashboardOnLaunch', true),
    bind: c.get<string>('bind', '').trim(),
    args: c.get<string[]>('args', []).filter((a) => typeof a === 'string'),
    app: c.get<string>('app', '').trim(),
    config: c.get<string>('config', '').trim(),
    workerClass: c.get<string>('workerClass', '').trim(),
    cwd: c.get<string>('cwd', '').trim(),
  };
}

/** Remembers the app the user picked, in the workspace folder's settings (.vscode/settings.json). */
export async function rememberApp(
  folder: vscode.WorkspaceFolder,
  choice: { app: string; config: string; workerClass: string; cwd: string },
): Promise<void> {
  const c = vscode.workspace.getConfiguration('gunicornLive', folder.uri);
  const target = vscode.ConfigurationTarget.WorkspaceFolder;
  for (const key of ['app', 'config', 'workerClass', 'cwd'] as const) {
    await c.update(key, choice[key] || undefined, target);
  }
}
