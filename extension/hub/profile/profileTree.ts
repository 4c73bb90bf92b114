// Counted stacks → the tree every flame graph draws: one node per frame along each path from the root,
// merged where paths share frames (the same function, file and line at the same depth under the same parent).
import type { ProfileNode } from '../../protocol/ui';
import type { StackTable } from './stackTable';

interface Building {
  frame: number;
  self: number;
  total: number;
  children: Map<number, Building>;
}

/** The node that stands for a parent's children too small to draw (see buildTree's `minTotal`). */
export const SMALLER_FRAMES = '(smaller frames)';

/**
 * `minTotal`: children whose total is below it are merged into one SMALLER_FRAMES child of their parent
 * (its self and total their sum), so totals still add up while a dashboard gets thousands of nodes fewer.
 */
export function buildTree(table: StackTable, stacks: ReadonlyMap<number, number>, minTotal = 0): ProfileNode {
  const root: Building = { frame: -1, self: 0, total: 0, children: new Map() };
  for (const [stack, count] of stacks) {
    root.total += count;
    let node = root;
    for (const frame of table.stacks[stack]) {
      let child = node.children.get(frame);
      if (!child) {
        child = { frame, self: 0, total: 0, children: new Map() };
        node.children.set(frame, child);
      }
      child.total += count;
      node = child;
    }
    node.self += count;
  }
  return finish(table, root, minTotal);
}

function finish(table: StackTable, node: Building, minTotal: number): ProfileNode {
  const frame = node.frame < 0 ? { function: '(all)', file: '', line: 0 } : table.frames[node.frame];
  const sorted = [...node.children.values()].sort((a, b) => b.total - a.total || a.frame - b.frame);
  const kept = sorted.filter((c) => c.total >= minTotal);
  const children = kept.map((c) => finish(table, c, minTotal));
  const small = sorted.length - kept.length;
  if (small > 0) {
    const total = sorted.slice(kept.length).reduce((n, c) => n + c.total, 0);
    children.push({ name: SMALLER_FRAMES, file: '', line: 0, self: total, total, children: [] });
  }
  return { name: frame.function, file: frame.file, line: frame.line, self: node.self, total: node.total, children };
}
