// The top functions of a profile tree: each function (name and file) once, however many places in the
// tree it appears — self: samples it was the innermost frame of; total: samples with it anywhere on
// the stack (a recursive call counted once). Pure, no DOM.
import type { ProfileNode } from '../../extension/protocol/ui';

export interface TopFunction {
  name: string;
  file: string;
  /** Its hottest line: the most self samples, else the most total. */
  line: number;
  self: number;
  total: number;
}

export function topFunctions(root: ProfileNode): TopFunction[] {
  const byKey = new Map<string, TopFunction & { lineSelf: Map<number, number>; lineTotal: Map<number, number> }>();
  const onPath = new Map<string, number>();
  const visit = (node: ProfileNode) => {
    const key = `${node.name}\u0000${node.file}`;
    let f = byKey.get(key);
    if (!f) {
      f = { name: node.name, file: node.file, line: node.line, self: 0, total: 0, lineSelf: new Map(), lineTotal: new Map() };
      byKey.set(key, f);
    }
    f.self += node.self;
    f.lineSelf.set(node.line, (f.lineSelf.get(node.line) ?? 0) + node.self);
    f.lineTotal.set(node.line, (f.lineTotal.get(node.line) ?? 0) + node.total);
    const depth = onPath.get(key) ?? 0;
    if (depth === 0) f.total += node.total;
    onPath.set(key, depth + 1);
    for (const child of node.children) visit(child);
    onPath.set(key, depth);
  };
  for (const child of root.children) visit(child);
  return [...byKey.values()].map(({ lineSelf, lineTotal, ...f }) => ({ ...f, line: hottest(f.self > 0 ? lineSelf : lineTotal) ?? f.line }))
    .sort((a, b) => b.self - a.self || b.total - a.total || a.name.localeCompare(b.name));
}

function hottest(lines: Map<number, number>): number | undefined {
  let best: number | undefined;
  let most = -1;
  for (const [line, n] of lines) {
    if (n > most || (n === most && line < best!)) {
      best = line;
      most = n;
    }
  }
  return best;
}
