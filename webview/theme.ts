// Chart colours from the VS Code theme (--vscode-charts-*), with the browser defaults that
// dashboard.css defines on :root; re-read when VS Code switches theme.

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  fontFamily: string;
  /** Worker line colours, in the order workers are first seen. */
  series: string[];
  /** The "all workers" line (requests/s total). */
  total: string;
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

export function readTheme(): ThemeColors {
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    series: SERIES_VARS.map((name, i) => cssVar(name, SERIES_FALLBACK[i]!)),
    total: foreground,
  };
}

/** Calls back when VS Code changes the theme (it rewrites body's class and html's style). */
export function onThemeChange(callback: () => void): void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  matchMedia('(prefers-color-scheme: light)').addEventListener('change', callback);
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

  color(pid: number, theme: ThemeColors): string {
    return theme.series[this.slot(pid) % theme.series.length]!;
  }
}
