// The Profile view's search box: which frames match (function or file, case-insensitive), and how
// many samples pass through any of them (a match inside another match is counted once).
import type { ProfileNode } from '../../extension/protocol/ui';

export interface SearchResult {
  matches: Set<ProfileNode>;
  /** Samples whose stack holds at least one matching frame. */
  samples: number;
}

export function searchFrames(root: ProfileNode, query: string): SearchResult {
  const q = query.trim().toLowerCase();
  const matches = new Set<ProfileNode>();
  if (!q) return { matches, samples: 0 };
  let samples = 0;
  const visit = (node: ProfileNode, inMatch: boolean) => {
    const hit = node !== root && (node.name.toLowerCase().includes(q) || node.file.toLowerCase().includes(q));
    if (hit) {
      matches.add(node);
      if (!inMatch) samples += node.total;
    }
    for (const child of node.children) visit(child, inMatch || hit);
  };
  visit(root, false);
  return { matches, samples };
}
