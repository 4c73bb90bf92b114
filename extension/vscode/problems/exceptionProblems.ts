// The exceptions that failed requests (the agents' request_exception events), as Problems: one per
// distinct exception and place, on the user's innermost frame, with the exception as its message. No
// vscode import: the mapping is tested on its own (test/unit/vscode/exceptionProblems.test.ts).
import type { RequestExceptionEvent, StackFrame } from '../../protocol/agent';
import { isLibraryFile } from '../../protocol/constants';

/** One Problem: an exception at one place, merged across workers, routes and servers. */
export interface ExceptionProblem {
  /** Where the Problem is: the user's innermost frame of the traceback. */
  file: string;
  /** 1-based. */
  line: number;
  /** 'RuntimeError: boom on purpose'. */
  message: string;
  /** Failed requests, all routes and servers. */
  count: number;
  /** Per "METHOD route", most first. */
  routes: Array<{ route: string; count: number }>;
  /** Epoch seconds of the latest. */
  at: number;
  /** The latest occurrence's traceback, outermost first. */
  stack: StackFrame[];
}

interface Entry {
  file: string;
  line: number;
  message: string;
  routes: Map<string, number>;
  at: number;
  stack: StackFrame[];
}

/**
 * The frame a Problem goes on: the innermost frame in the workspace that is not a library's (a .venv in
 * the workspace holds site-packages), else the innermost that is not a library's, else the innermost.
 */
export function placeOf(stack: StackFrame[], inWorkspace: (file: string) => boolean): StackFrame | undefined {
  const own = (f: StackFrame) => !isLibraryFile(f.file);
  return innermost(stack, (f) => own(f) && inWorkspace(f.file)) ?? innermost(stack, own) ?? stack.at(-1);
}

function innermost(stack: StackFrame[], test: (f: StackFrame) => boolean): StackFrame | undefined {
  for (let i = stack.length - 1; i >= 0; i--) if (test(stack[i]!)) return stack[i];
  return undefined;
}

export class ExceptionProblems {
  /** Per server id: the entries its agents reported, by place and message. */
  private readonly servers = new Map<string, Map<string, Entry>>();

  constructor(private readonly inWorkspace: (file: string) => boolean) {}

  /** A request_exception event of server `serverId`; false when it names no place a Problem can go. */
  add(serverId: string, event: RequestExceptionEvent): boolean {
    const place = placeOf(event.stack, this.inWorkspace);
    if (!place || place.line < 1) return false;
    let entries = this.servers.get(serverId);
    if (!entries) this.servers.set(serverId, entries = new Map<string, Entry>());
    const key = `${place.file}\0${place.line}\0${event.exception}`;
    let entry = entries.get(key);
    if (!entry) entries.set(key, entry = { file: place.file, line: place.line, message: event.exception, routes: new Map(), at: 0, stack: [] });
    const route = `${event.method} ${event.route}`;
    entry.routes.set(route, (entry.routes.get(route) ?? 0) + event.count);
    if (event.at >= entry.at) {
      entry.at = event.at;
      entry.stack = event.stack;
    }
    return true;
  }

  /** A server stopped or was relaunched (a new server): its Problems go. True if it had any. */
  clearServer(serverId: string): boolean {
    return this.servers.delete(serverId);
  }

  /** Problems placed in `file` go (it was saved: the traceback describes the code before). True if any did. */
  clearFile(file: string): boolean {
    let cleared = false;
    for (const entries of this.servers.values()) {
      for (const [key, entry] of entries) {
        if (entry.file === file) cleared = entries.delete(key) || cleared;
      }
    }
    return cleared;
  }

  /** Every Problem, merged across servers, ordered by file and line. */
  list(): ExceptionProblem[] {
    const merged = new Map<string, ExceptionProblem & { byRoute: Map<string, number> }>();
    for (const entries of this.servers.values()) {
      for (const [key, e] of entries) {
        let p = merged.get(key);
        if (!p) merged.set(key, p = { file: e.file, line: e.line, message: e.message, count: 0, routes: [], at: 0, stack: [], byRoute: new Map() });
        for (const [route, n] of e.routes) {
          p.byRoute.set(route, (p.byRoute.get(route) ?? 0) + n);
          p.count += n;
        }
        if (e.at >= p.at) {
          p.at = e.at;
          p.stack = e.stack;
        }
      }
    }
    return [...merged.values()]
      .map(({ byRoute, ...p }) => ({ ...p, routes: [...byRoute].map(([route, count]) => ({ route, count })).sort((a, b) => b.count - a.count || a.route.localeCompare(b.route)) }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.message.localeCompare(b.message));
  }
}

/** "3 failed requests: GET /boom ×2, POST /boom ×1" — the first related information of a Problem. */
export function describeOccurrences(p: ExceptionProblem): string {
  const requests = `${p.count} failed request${p.count === 1 ? '' : 's'}`;
  return `${requests}: ${p.routes.map((r) => `${r.route} ×${r.count}`).join(', ')}`;
}
