// Chart colours from the VS Code theme (--vscode-charts-*), with the browser defaults that
// themeDefaults.css defines on :root; re-read when VS Code switches theme.
import { opaque, readableOn } from './contrast';

/** Colours with a meaning (not a worker): totals, status classes, percentiles, markers. */
export type NamedColor =
  | 'total' | 'muted' | 'ok' | 'info' | 'warn' | 'error' | 'p50' | 'p95' | 'p99' | 'busy' | 'signal';

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  /** Behind marker labels drawn on the canvas. */
  background: string;
  fontFamily: string;
  /** Worker line colours, in the order workers are first seen. */
  series: string[];
  named: Record<NamedColor, string>;
  /** High contrast themes get thicker lines and no translucent fills. */
  highContrast: boolean;
}

const SERIES_VARS = [
  '--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple',
  '--vscode-charts-yellow', '--vscode-charts-red',
];
const SERIES_FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'];

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export function isHighContrast(): boolean {
  const cls = document.body.classList;
  return cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light')
    || matchMedia('(prefers-contrast: more), (forced-colors: active)').matches;
}

export function readTheme(): ThemeColors {
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  const muted = cssVar('--vscode-descriptionForeground', '#9d9d9d');
  // Lines are drawn opaque: a theme's chart colour may be a translucent wash (charts.orange: #EA5C0055).
  const series = SERIES_VARS.map((name, i) => opaque(cssVar(name, SERIES_FALLBACK[i]!)));
  const [blue, orange, green, purple, yellow, red] = series as [string, string, string, string, string, string];
  return {
    foreground,
    muted,
    grid: cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    background: cssVar('--vscode-editor-background', '#1f1f1f'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    series,
    named: {
      total: foreground,
      muted,
      ok: green,
      info: blue,
      warn: yellow,
      error: red,
      p50: blue,
      p95: orange,
      p99: red,
      busy: orange,
      signal: purple,
    },
    highContrast: isHighContrast(),
  };
}

/**
 * Colours derived from the theme's, kept readable: `--gl-own-code`, the app's own functions in the
 * top-functions table (the theme's orange, lightened or darkened to 4.5:1 on the editor background).
 * Set on body: VS Code rewrites html's style on a theme change.
 */
export function applyDerivedColors(): void {
  const t = readTheme();
  document.body.style.setProperty('--gl-own-code', readableOn(t.named.busy, t.background, 4.5));
}

/** Calls back when VS Code changes the theme (it rewrites body's class and html's style). */
export function onThemeChange(callback: () => void): void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  for (const query of ['(prefers-color-scheme: light)', '(prefers-contrast: more)', '(forced-colors: active)']) {
    matchMedia(query).addEventListener('change', callback);
  }
}

/** Stable colour slots per worker pid, shared by every chart and the workers table. */
export class WorkerColors {
  private readonly slots = new Map<number, number>();
  private next = 0;

  slot(pid: number): number {
    let slot = this.slots.get(pid);
    if (slot === undefined) {
      slot = this.next++;
      this.slots.set(pid, slot);
    }
    return slot;
  }
}
