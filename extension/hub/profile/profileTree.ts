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

export function buildTree(table: StackTable, stacks: ReadonlyMap<number, number>): ProfileNode {
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
  return finish(table, root);
}

function finish(table: StackTable, node: Building): ProfileNode {
  const frame = node.frame < 0 ? { function: '(all)', file: '', line: 0 } : table.frames[node.frame];
  const children = [...node.children.values()].sort((a, b) => b.total - a.total || a.frame - b.frame).map((c) => finish(table, c));
  return { name: frame.function, file: frame.file, line: frame.line, self: node.self, total: node.total, children };
}
