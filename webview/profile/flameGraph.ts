// The flame graph (an icicle: callers above, callees below) on one canvas. Hover names a frame (the
// caller gets a tooltip via onHover), a click zooms into it and a click on a caller bar above zooms
// back out. Redraws only when the data, the zoom, the search or the size changed.
import type { ProfileNode } from '../../extension/protocol/ui';
import { h } from '../dom';
import { isLibrary } from '../frames';
import { perf } from '../perf';
import { readTheme } from '../theme';
import { inkOn, readableOn } from '../contrast';
import { hitTest, layoutFlame, pathKeys, resolvePath, type FlameLayout, type FlameRect } from './flameLayout';

export const ROW_HEIGHT = 18;
/** Labels only in boxes wide enough for a few letters. */
const MIN_LABEL_PX = 28;

interface Palette {
  user: string;
  library: string;
  match: string;
  textOnUser: string;
  textOnMatch: string;
  textOnLibrary: string;
  background: string;
  font: string;
}

export class FlameGraph {
  readonly canvas: HTMLCanvasElement;
  readonly element: HTMLElement;
  private root: ProfileNode | null = null;
  /** The zoom, as frame keys from the root: it survives live updates while those frames exist. */
  private zoomKeys: string[] = [];
  private layout: FlameLayout | null = null;
  private matches: Set<ProfileNode> | null = null;
  private hovered: FlameRect | null = null;
  private palette: Palette | null = null;
  private width = 0;
  private scheduled = false;

  constructor(private readonly onHover: (rect: FlameRect | null, clientX: number, clientY: number) => void,
    private readonly onZoom: (node: ProfileNode) => void) {
    this.canvas = h('canvas', { class: 'flame-canvas', id: 'flame-canvas', role: 'img', 'aria-label': 'Flame graph' });
    this.element = h('div', { class: 'flame-scroll' }, this.canvas);
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => this.setHovered(null, 0, 0));
    this.canvas.addEventListener('click', (e) => {
      const rect = this.rectAt(e);
      if (rect) this.zoomTo(rect.node);
    });
    new ResizeObserver(() => {
      const width = this.element.clientWidth;
      if (width !== this.width) this.schedule();
    }).observe(this.element);
  }

  /** The frames drawn last (0 before any data), for the view's status and the tests. */
  get framesDrawn(): number {
    return this.layout?.rects.length ?? 0;
  }

  get zoomed(): ProfileNode | null {
    return this.layout?.path[this.layout.path.length - 1] ?? null;
  }

  /** The path from the root to the zoomed frame. */
  get zoomPath(): ProfileNode[] {
    return this.layout?.path ?? [];
  }

  setData(root: ProfileNode | null): void {
    this.root = root;
    this.schedule();
  }

  setMatches(matches: Set<ProfileNode> | null): void {
    this.matches = matches && matches.size > 0 ? matches : null;
    this.schedule();
  }

  zoomTo(node: ProfileNode): void {
    const path = this.layout?.path ?? [];
    const at = path.indexOf(node);
    if (at >= 0) this.zoomKeys = pathKeys(path.slice(0, at + 1));
    else {
      const found = this.pathTo(node);
      if (!found) return;
      this.zoomKeys = pathKeys(found);
    }
    this.draw();
    this.onZoom(node);
  }

  resetZoom(): void {
    this.zoomKeys = [];
    this.draw();
  }

  themeChanged(): void {
    this.palette = null;
    this.schedule();
  }

  /** Where a frame of this function is drawn widest, in CSS pixels of the canvas (for the tests). */
  boxOf(name: string): { x: number; y: number; w: number } | null {
    // New data waits for the next animation frame to be laid out: answer for the data set, not the last drawn.
    if (this.scheduled) this.draw();
    let best: FlameRect | null = null;
    for (const r of this.layout?.rects ?? []) if (!r.ancestor && r.node.name === name && (!best || r.w > best.w)) best = r;
    return best ? { x: best.x + best.w / 2, y: best.depth * ROW_HEIGHT + ROW_HEIGHT / 2, w: best.w } : null;
  }

  private pathTo(target: ProfileNode): ProfileNode[] | null {
    if (!this.root) return null;
    const walk = (node: ProfileNode, path: ProfileNode[]): ProfileNode[] | null => {
      if (node === target) return path;
      for (const c of node.children) {
        const found = walk(c, [...path, c]);
        if (found) return found;
      }
      return null;
    };
    return walk(this.root, [this.root]);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    perf.time('profile:draw', () => this.drawNow());
  }

  private drawNow(): void {
    const width = this.element.clientWidth;
    this.width = width;
    if (!this.root || width === 0) {
      this.layout = this.root ? this.layout : null;
      return;
    }
    const path = resolvePath(this.root, this.zoomKeys);
    this.zoomKeys = pathKeys(path);
    this.layout = layoutFlame(path, width);
    const dpr = window.devicePixelRatio || 1;
    const height = Math.max(1, this.layout.depth) * ROW_HEIGHT;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const p = (this.palette ??= palette());
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = p.font;
    ctx.textBaseline = 'middle';
    const charWidth = ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26;
    for (const r of this.layout.rects) {
      const own = !isLibrary(r.node.file);
      const dim = r.ancestor || (this.matches !== null && !this.matches.has(r.node));
      const matched = this.matches?.has(r.node) ?? false;
      // Library frames are a faint grey with the text colour on top; dimmed frames (callers of the zoom,
      // non-matches of a search) fade further.
      const alpha = matched || own ? 1 : 0.22 + 0.18 * shade(r.node.name);
      ctx.globalAlpha = dim ? alpha * 0.4 : alpha;
      ctx.fillStyle = matched ? p.match : own ? p.user : p.library;
      const y = r.depth * ROW_HEIGHT;
      ctx.fillRect(r.x, y, Math.max(0.5, r.w - 1), ROW_HEIGHT - 1);
      if (r === this.hovered) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = p.textOnLibrary;
        ctx.strokeRect(r.x + 0.5, y + 0.5, Math.max(0.5, r.w - 2), ROW_HEIGHT - 2);
      }
      if (r.w < MIN_LABEL_PX) continue;
      const room = Math.floor((r.w - 6) / charWidth);
      const label = r.node.name.length > room ? `${r.node.name.slice(0, Math.max(1, room - 1))}…` : r.node.name;
      ctx.globalAlpha = dim ? 0.55 : 1;
      ctx.fillStyle = dim ? p.textOnLibrary : matched ? p.textOnMatch : own ? p.textOnUser : p.textOnLibrary;
      ctx.fillText(label, r.x + 3, y + ROW_HEIGHT / 2);
    }
    ctx.globalAlpha = 1;
  }

  private rectAt(e: MouseEvent): FlameRect | null {
    if (!this.layout) return null;
    const box = this.canvas.getBoundingClientRect();
    return hitTest(this.layout, e.clientX - box.left, e.clientY - box.top, ROW_HEIGHT);
  }

  private onMove(e: MouseEvent): void {
    this.setHovered(this.rectAt(e), e.clientX, e.clientY);
  }

  private setHovered(rect: FlameRect | null, x: number, y: number): void {
    const changed = rect?.node !== this.hovered?.node;
    this.hovered = rect;
    this.canvas.style.cursor = rect ? 'pointer' : 'default';
    this.onHover(rect, x, y);
    if (changed) this.schedule();
  }
}

/** A steady 0..1 per function name, so neighbouring library boxes differ a little. */
function shade(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return ((hash >>> 0) % 100) / 100;
}

function palette(): Palette {
  const theme = readTheme();
  const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  // The app's own frames stand out in a warm colour (3:1 on the background at least, whatever the theme's
  // orange); Python's and packages' stay grey. Their labels take whichever ink reads on the fill.
  const user = readableOn(css('--vscode-charts-orange', '#d18616'), theme.background, 3);
  const match = css('--vscode-charts-purple', '#b180d7');
  return {
    user,
    library: theme.muted,
    match,
    textOnUser: inkOn(user, theme.background, theme.foreground),
    textOnMatch: inkOn(match, theme.background, theme.foreground),
    textOnLibrary: theme.foreground,
    background: theme.background,
    font: `12px ${css('--vscode-editor-font-family', 'monospace')}`,
  };
}
