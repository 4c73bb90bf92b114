// Where requests spend their time, by source line and by function: the profile seen from the editor.
// Pure (no vscode, no store): the hot lines in VS Code and any view that wants "this line costs N %" read it.
//
// A line's `total` counts the samples whose stack passes through it (a caller's line counts the time of
// what it calls); its `self` counts those where it is the innermost frame. A stack that passes a line
// twice (recursion) counts once. The same goes for functions, keyed by (file, function name).
import type { StackFrame } from '../../protocol/agent';

/** Samples by route ("METHOD ROUTE"), most first. */
export type RouteSamples = Array<{ route: string; samples: number }>;

export interface LineHeat {
  self: number;
  total: number;
  /** The routes whose samples pass through the line. */
  routes: RouteSamples;
}

export interface FunctionHeat {
  function: string;
  /** The smallest line sampled in the function (the `def` is at or above it). */
  firstLine: number;
  self: number;
  total: number;
  routes: RouteSamples;
}

export interface FileHeat {
  lines: Map<number, LineHeat>;
  /** Most samples first. */
  functions: FunctionHeat[];
}

export interface HeatMap {
  /** Every sample counted: the denominator of each share. */
  samples: number;
  files: Map<string, FileHeat>;
}

/** One server's samples: its stack table and, per route, samples per stack id. */
export interface HeatSource {
  frames: readonly StackFrame[];
  /** Each stack as frame ids, outermost first. */
  stacks: readonly (readonly number[])[];
  byRoute: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

interface Counting {
  self: number;
  total: number;
  routes: Map<string, number>;
  firstLine: number;
}

/** Sums the sources (servers running the same code add up) into per-file line and function heat. */
export function lineHeat(sources: Iterable<HeatSource>): HeatMap {
  let samples = 0;
  const lines = new Map<string, Map<number, Counting>>();
  const functions = new Map<string, Map<string, Counting>>();
  const count = <K>(byFile: Map<string, Map<K, Counting>>, file: string, key: K, line: number, route: string, n: number, leaf: boolean) => {
    let inFile = byFile.get(file);
    if (!inFile) byFile.set(file, (inFile = new Map<K, Counting>()));
    let c = inFile.get(key);
    if (!c) inFile.set(key, (c = { self: 0, total: 0, routes: new Map(), firstLine: line }));
    c.total += n;
    if (leaf) c.self += n;
    c.firstLine = Math.min(c.firstLine, line);
    c.routes.set(route, (c.routes.get(route) ?? 0) + n);
  };

  for (const source of sources) {
    for (const [route, stacks] of source.byRoute) {
      for (const [stackId, n] of stacks) {
        const stack = source.stacks[stackId];
        if (!stack || n <= 0) continue;
        samples += n;
        const seenLines = new Set<string>();
        const seenFunctions = new Set<string>();
        for (let i = 0; i < stack.length; i++) {
          const frame = source.frames[stack[i]];
          if (!frame?.file) continue;
          const leaf = i === stack.length - 1;
          const lineKey = `${frame.file}\u0000${frame.line}`;
          if (!seenLines.has(lineKey)) {
            seenLines.add(lineKey);
            count(lines, frame.file, frame.line, frame.line, route, n, leaf);
          }
          const functionKey = `${frame.file}\u0000${frame.function}`;
          if (!seenFunctions.has(functionKey)) {
            seenFunctions.add(functionKey);
            count(functions, frame.file, frame.function, frame.line, route, n, leaf);
          } else if (leaf) {
            // Recursion: the innermost call's time is still the function's own.
            functions.get(frame.file)!.get(frame.function)!.self += n;
          }
        }
      }
    }
  }

  const files = new Map<string, FileHeat>();
  for (const [file, byLine] of lines) {
    const fileLines = new Map<number, LineHeat>();
    for (const [line, c] of byLine) fileLines.set(line, { self: c.self, total: c.total, routes: ranked(c.routes) });
    const fileFunctions = [...(functions.get(file) ?? new Map<string, Counting>())]
      .map(([name, c]) => ({ function: name, firstLine: c.firstLine, self: c.self, total: c.total, routes: ranked(c.routes) }))
      .sort((a, b) => b.total - a.total || a.firstLine - b.firstLine);
    files.set(file, { lines: fileLines, functions: fileFunctions });
  }
  return { samples, files };
}

function ranked(routes: Map<string, number>): RouteSamples {
  return [...routes].map(([route, samples]) => ({ route, samples })).sort((a, b) => b.samples - a.samples || a.route.localeCompare(b.route));
}

/** A share of all samples as the editor writes it: "38 %", "0.4 %", "<0.1 %". */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0 %';
  const pct = (100 * part) / whole;
  if (pct >= 9.95) return `${Math.round(pct)} %`;
  if (pct >= 0.05) return `${pct.toFixed(1)} %`;
  return '<0.1 %';
}

/** Heat levels 1..levels for a share of all samples (0 for none): even steps, so 1 level ≈ 100/levels %. */
export function heatLevel(part: number, whole: number, levels = 5): number {
  if (part <= 0 || whole <= 0) return 0;
  return Math.min(levels, Math.max(1, Math.ceil((levels * part) / whole)));
}
