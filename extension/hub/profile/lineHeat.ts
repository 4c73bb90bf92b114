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

/** One line's or function's counts while summing; `routes` in the order met, the current route's last. */
interface Counting {
  file: string;
  key: number | string;
  firstLine: number;
  self: number;
  total: number;
  routes: Array<{ route: string; samples: number }>;
  /** The (route, stack) pair that last counted here: a stack passing twice (recursion) counts once. */
  seen: number;
}

/**
 * Sums the sources (servers running the same code add up) into per-file line and function heat. Each
 * frame id is mapped once to its line and its function; then every (route, stack) pair walks its frames
 * with integer bookkeeping only (a refresh of a busy profile is a few hundred thousand frame visits).
 */
export function lineHeat(sources: Iterable<HeatSource>): HeatMap {
  let samples = 0;
  let pair = 0;
  const lines: Counting[] = [];
  const functions: Counting[] = [];
  const lineIds = new Map<string, number>();
  const functionIds = new Map<string, number>();
  const intern = (all: Counting[], ids: Map<string, number>, id: string, file: string, key: number | string, line: number) => {
    let n = ids.get(id);
    if (n === undefined) {
      n = all.push({ file, key, firstLine: line, self: 0, total: 0, routes: [], seen: -1 }) - 1;
      ids.set(id, n);
    } else if (line < all[n].firstLine) all[n].firstLine = line;
    return n;
  };
  const count = (c: Counting, route: string, n: number) => {
    c.seen = pair;
    c.total += n;
    const last = c.routes[c.routes.length - 1];
    if (last?.route === route) last.samples += n;
    else c.routes.push({ route, samples: n });
  };

  for (const source of sources) {
    // Frame id → line and function ids (-1: no file), made on first use.
    const lineOf = new Int32Array(source.frames.length).fill(-2);
    const functionOf = new Int32Array(source.frames.length).fill(-2);
    const ids = (frameId: number) => {
      if (lineOf[frameId] === -2) {
        const f = source.frames[frameId];
        lineOf[frameId] = f?.file ? intern(lines, lineIds, `${f.file}\u0000${f.line}`, f.file, f.line, f.line) : -1;
        functionOf[frameId] = f?.file ? intern(functions, functionIds, `${f.file}\u0000${f.function}`, f.file, f.function, f.line) : -1;
      }
    };
    for (const [route, stacks] of source.byRoute) {
      for (const [stackId, n] of stacks) {
        const stack = source.stacks[stackId];
        if (!stack || n <= 0) continue;
        samples += n;
        pair += 1;
        for (let i = 0; i < stack.length; i++) {
          const frameId = stack[i];
          if (frameId < 0 || frameId >= lineOf.length) continue;
          ids(frameId);
          const leaf = i === stack.length - 1;
          const l = lineOf[frameId];
          if (l >= 0) {
            const c = lines[l];
            if (c.seen !== pair) count(c, route, n);
            if (leaf) c.self += n;
          }
          const fn = functionOf[frameId];
          if (fn >= 0) {
            const c = functions[fn];
            if (c.seen !== pair) count(c, route, n);
            // Recursion: the innermost call's time is still the function's own.
            if (leaf) c.self += n;
          }
        }
      }
    }
  }

  const files = new Map<string, FileHeat>();
  const fileOf = (file: string) => {
    let f = files.get(file);
    if (!f) files.set(file, (f = { lines: new Map(), functions: [] }));
    return f;
  };
  for (const c of lines) fileOf(c.file).lines.set(c.key as number, { self: c.self, total: c.total, routes: ranked(c.routes) });
  for (const c of functions) fileOf(c.file).functions.push({ function: c.key as string, firstLine: c.firstLine, self: c.self, total: c.total, routes: ranked(c.routes) });
  for (const f of files.values()) f.functions.sort((a, b) => b.total - a.total || a.firstLine - b.firstLine);
  return { samples, files };
}

/** Routes merged (byRoute's routes come each once per source, so a route can recur), most samples first. */
function ranked(routes: RouteSamples): RouteSamples {
  const merged = new Map<string, number>();
  for (const r of routes) merged.set(r.route, (merged.get(r.route) ?? 0) + r.samples);
  return [...merged].map(([route, n]) => ({ route, samples: n })).sort((a, b) => b.samples - a.samples || a.route.localeCompare(b.route));
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
