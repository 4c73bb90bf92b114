// Where each frame of a profile tree goes in the icicle (the root on top, callees below): pure
// geometry, no DOM. A zoomed-in frame spans the whole width; the frames above it (its callers) are
// full-width bars, so a click on one zooms back out. Frames too narrow to see are not laid out.
import type { ProfileNode } from '../../extension/protocol/ui';

export interface FlameRect {
  node: ProfileNode;
  depth: number;
  /** CSS pixels from the left, and width. */
  x: number;
  w: number;
  /** A caller of the zoomed frame (drawn full width, dimmed). */
  ancestor: boolean;
}

export interface FlameLayout {
  rects: FlameRect[];
  /** Rows used (the deepest laid-out frame's depth + 1). */
  depth: number;
  /** The zoomed frame (the root when not zoomed) and its callers, root first. */
  path: ProfileNode[];
}

/** A frame's identity across live updates: function, file and line. */
export function frameKey(node: Pick<ProfileNode, 'name' | 'file' | 'line'>): string {
  return `${node.name}\u0000${node.file}\u0000${node.line}`;
}

/**
 * The nodes along `keys` from the root (whose own key is not part of it): as far as the new tree still
 * has them. A live update keeps the user's zoom while the frame exists, else the deepest caller left.
 */
export function resolvePath(root: ProfileNode, keys: readonly string[]): ProfileNode[] {
  const path = [root];
  let node = root;
  for (const key of keys) {
    const child = node.children.find((c) => frameKey(c) === key);
    if (!child) break;
    path.push(child);
    node = child;
  }
  return path;
}

/** The keys that `resolvePath` takes back to the last node of `path`. */
export function pathKeys(path: readonly ProfileNode[]): string[] {
  return path.slice(1).map(frameKey);
}

/** Frames narrower than this many pixels are neither laid out nor descended into. */
export const MIN_WIDTH_PX = 0.5;

export function layoutFlame(path: readonly ProfileNode[], width: number, minWidth = MIN_WIDTH_PX): FlameLayout {
  const rects: FlameRect[] = [];
  const zoomed = path[path.length - 1]!;
  path.slice(0, -1).forEach((node, depth) => rects.push({ node, depth, x: 0, w: width, ancestor: true }));
  let depth = path.length;
  const scale = zoomed.total > 0 ? width / zoomed.total : 0;
  // Breadth-first by row, so rects come out row by row (the hit test and the drawing read them so).
  let row: Array<{ node: ProfileNode; x: number }> = [{ node: zoomed, x: 0 }];
  let d = path.length - 1;
  while (row.length > 0) {
    const next: typeof row = [];
    for (const { node, x } of row) {
      const w = node.total * scale;
      rects.push({ node, depth: d, x, w, ancestor: false });
      let cx = x;
      for (const child of node.children) {
        const cw = child.total * scale;
        if (cw >= minWidth) next.push({ node: child, x: cx });
        cx += cw;
      }
    }
    depth = d + 1;
    d += 1;
    row = next;
  }
  return { rects, depth, path: [...path] };
}

/** The rect under a point (CSS pixels, rows of `rowHeight`), if any. */
export function hitTest(layout: FlameLayout, x: number, y: number, rowHeight: number): FlameRect | null {
  const depth = Math.floor(y / rowHeight);
  if (depth < 0 || depth >= layout.depth) return null;
  for (const r of layout.rects) {
    if (r.depth === depth && x >= r.x && x < r.x + r.w) return r;
  }
  return null;
}
