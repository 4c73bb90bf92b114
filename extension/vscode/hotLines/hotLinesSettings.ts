// The hot lines' settings (contributes.configuration: gunicornLive.hotLines.*, gunicornLive.profile.window).
import * as vscode from 'vscode';
import type { ProfileMode } from '../../protocol/ui';

export interface HotLinesSettings {
  /** Shown when the window opens (the toggle changes it for the session). */
  enabled: boolean;
  /** Seconds of profile the shares are taken over. */
  window: number;
  mode: ProfileMode;
}

export function hotLinesSettings(): HotLinesSettings {
  const c = vscode.workspace.getConfiguration('gunicornLive');
  const window = c.get<number>('profile.window', 300);
  return {
    enabled: c.get<boolean>('hotLines.enabled', true),
    window: Number.isFinite(window) ? Math.min(3600, Math.max(10, Math.round(window))) : 300,
    mode: c.get<string>('hotLines.mode', 'wall') === 'cpu' ? 'cpu' : 'wall',
  };
}
