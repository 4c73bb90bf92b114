// A server's history (an hour at 1 s) kept compact: as HistoryPoint objects an hour of 64 workers held
// 24 MiB of heap (an object and boxed numbers per worker and second), enough to push the hub past its
// memory budget with four such servers. Here points live in typed arrays, a chunk per minute, and become
// HistoryPoint objects again only when read. Every number comes back exactly as it went in:
// - per-worker CPU % (the agent rounds to 2 decimals) and RSS/PSS (kB from /proc × 1024) are stored as
//   Uint32 codes (hundredths, KiB) when that is exact; a point with any value that is not (or a -0) keeps
//   all its workers' numbers as Float64 instead (a "wide" row);
// - everything else is Float64 (pids and byte counts are integers far below 2^53);
// - consecutive points with the same workers share one array of pids.
import type { HistoryPoint } from '../protocol/ui';

type Workers = HistoryPoint['workers'];

/** Points per chunk: one minute at 1 s. The oldest chunk is dropped whole, once all its points are past. */
const CHUNK_POINTS = 60;

// Float64 header of every point; then, per worker, `rps` (compact row) or cpuPercent, rssBytes, pssBytes,
// rps (wide row, null as NaN: frames are validated JSON, so a real NaN never reaches the store).
const AT = 0;
const RPS = 1;
const FLAGS = 2;
const LATENCY = 3; // p50, p95, p99
const STATUS = 6; // 2xx, 3xx, 4xx, 5xx
const BUSY = 10;
const HEADER = 11;

// FLAGS bits: which optional fields the point had, and its row layout.
const HAS_LATENCY = 1;
const NULL_LATENCY = 2;
const HAS_STATUS = 4;
const HAS_BUSY = 8;
const WIDE = 16;

// Uint32 codes of a compact row: cpuPercent × 100, rssBytes / 1024, pssBytes / 1024.
const NULL_CODE = 0xffffffff;
const MAX_CODE = 0xfffffffe;

function cpuCode(v: number | null): number {
  if (v === null) return NULL_CODE;
  const code = Math.round(v * 100);
  return code >= 0 && code <= MAX_CODE && code / 100 === v && !Object.is(v, -0) ? code : -1;
}

function bytesCode(v: number | null): number {
  if (v === null) return NULL_CODE;
  return Number.isInteger(v) && v >= 0 && v % 1024 === 0 && v / 1024 <= MAX_CODE && !Object.is(v, -0) ? v / 1024 : -1;
}

const nanForNull = (n: number | null) => (n === null ? NaN : n);
const nullForNaN = (n: number) => (Number.isNaN(n) ? null : n);

class Chunk {
  f64: Float64Array;
  u32: Uint32Array;
  f64Used = 0;
  u32Used = 0;
  /** Per point: where its header starts in f64, its codes in u32, and its workers' pids. */
  readonly f64Starts: number[] = [];
  readonly u32Starts: number[] = [];
  readonly pids: Float64Array[] = [];

  constructor(f64Size: number, u32Size: number) {
    this.f64 = new Float64Array(f64Size);
    this.u32 = new Uint32Array(u32Size);
  }

  get points(): number {
    return this.f64Starts.length;
  }

  /** Room for one more point; grows (rarely: more workers than the chunk was sized for). */
  reserve(f64Need: number, u32Need: number): void {
    if (this.f64Used + f64Need > this.f64.length) {
      const grown = new Float64Array(Math.max(this.f64Used + f64Need, this.f64.length * 2));
      grown.set(this.f64.subarray(0, this.f64Used));
      this.f64 = grown;
    }
    if (this.u32Used + u32Need > this.u32.length) {
      const grown = new Uint32Array(Math.max(this.u32Used + u32Need, this.u32.length * 2));
      grown.set(this.u32.subarray(0, this.u32Used));
      this.u32 = grown;
    }
  }

  /** Full: give back what the chunk reserved and did not use. */
  seal(): void {
    if (this.f64.length > this.f64Used) this.f64 = this.f64.slice(0, this.f64Used);
    if (this.u32.length > this.u32Used) this.u32 = this.u32.slice(0, this.u32Used);
  }

  at(i: number): number {
    return this.f64[this.f64Starts[i] + AT];
  }
}

/**
 * History read a part at a time, by points' sequence numbers (the first point ever pushed is 0), which
 * stay put while new points push old ones out: a reader paging through an hour across event-loop turns
 * neither skips nor repeats a point.
 */
export interface HistoryReader {
  /** Sequence number of the oldest point kept. */
  readonly first: number;
  /** One past the newest point's sequence number. */
  readonly end: number;
  /** The first point kept whose `at` is after `t` (`end` when none is). */
  firstAfter(t: number): number;
  /** Points `from` … `to` − 1 that are still kept, oldest first. */
  slice(from: number, to: number): HistoryPoint[];
}

/** A plain array as a HistoryReader (for stand-ins of the store). */
export function arrayHistory(points: HistoryPoint[]): HistoryReader {
  return {
    first: 0,
    end: points.length,
    firstAfter: (t) => {
      const i = points.findIndex((p) => p.at > t);
      return i < 0 ? points.length : i;
    },
    slice: (from, to) => points.slice(Math.max(0, from), Math.max(0, to)),
  };
}

export class HistoryRing implements HistoryReader {
  private readonly chunks: Chunk[] = [];
  /** Points of the oldest chunk already out of the ring. */
  private skipped = 0;
  private size = 0;
  /** Points pushed out of the ring since it was made. */
  private dropped = 0;
  private readonly chunkPoints: number;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.chunkPoints = Math.min(CHUNK_POINTS, capacity);
  }

  get length(): number {
    return this.size;
  }

  get first(): number {
    return this.dropped;
  }

  get end(): number {
    return this.dropped + this.size;
  }

  firstAfter(t: number): number {
    let seq = this.dropped;
    for (const [c, chunk] of this.chunks.entries()) {
      for (let i = c === 0 ? this.skipped : 0; i < chunk.points; i++, seq++) if (chunk.at(i) > t) return seq;
    }
    return seq;
  }

  slice(from: number, to: number): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    let seq = this.dropped;
    for (const [c, chunk] of this.chunks.entries()) {
      const begin = c === 0 ? this.skipped : 0;
      const n = chunk.points - begin;
      // Whole chunks before `from` are stepped over without reading a point.
      if (seq + n <= from) {
        seq += n;
        continue;
      }
      for (let i = begin; i < chunk.points && seq < to; i++, seq++) if (seq >= from) out.push(unpack(chunk, i));
      if (seq >= to) break;
    }
    return out;
  }

  push(point: HistoryPoint): void {
    const workers = point.workers;
    const n = workers.length;
    const codes: number[] = [];
    for (const w of workers) codes.push(cpuCode(w.cpuPercent), bytesCode(w.rssBytes), bytesCode(w.pssBytes));
    const wide = codes.includes(-1);
    const f64Need = HEADER + (wide ? 4 : 1) * n;
    const u32Need = wide ? 0 : 3 * n;

    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.points === this.chunkPoints) {
      chunk?.seal();
      chunk = new Chunk(f64Need * this.chunkPoints, u32Need * this.chunkPoints);
      this.chunks.push(chunk);
    }
    const pids = this.pidsOf(workers, chunk);
    chunk.reserve(f64Need, u32Need);
    const f = chunk.f64;
    const s = chunk.f64Used;
    chunk.f64Starts.push(s);
    chunk.u32Starts.push(chunk.u32Used);
    chunk.pids.push(pids);

    f[s + AT] = point.at;
    f[s + RPS] = point.rps;
    let flags = wide ? WIDE : 0;
    if (point.latency) {
      flags |= HAS_LATENCY;
      f[s + LATENCY] = point.latency.p50;
      f[s + LATENCY + 1] = point.latency.p95;
      f[s + LATENCY + 2] = point.latency.p99;
    } else if (point.latency === null) flags |= NULL_LATENCY;
    if (point.status) {
      flags |= HAS_STATUS;
      f[s + STATUS] = point.status['2xx'];
      f[s + STATUS + 1] = point.status['3xx'];
      f[s + STATUS + 2] = point.status['4xx'];
      f[s + STATUS + 3] = point.status['5xx'];
    }
    if (point.busy !== undefined) {
      flags |= HAS_BUSY;
      f[s + BUSY] = point.busy;
    }
    f[s + FLAGS] = flags;
    if (wide) {
      for (let k = 0, o = s + HEADER; k < n; k++, o += 4) {
        const w = workers[k];
        f[o] = nanForNull(w.cpuPercent);
        f[o + 1] = nanForNull(w.rssBytes);
        f[o + 2] = nanForNull(w.pssBytes);
        f[o + 3] = w.rps;
      }
    } else {
      for (let k = 0; k < n; k++) f[s + HEADER + k] = workers[k].rps;
      chunk.u32.set(codes, chunk.u32Used);
    }
    chunk.f64Used += f64Need;
    chunk.u32Used += u32Need;

    this.size += 1;
    if (this.size > this.capacity) this.dropOldest();
  }

  /** Oldest first; with `windowSeconds`, only points newer than the newest point's `at` minus the window. */
  toArray(windowSeconds?: number): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    if (this.size === 0) return out;
    const newest = this.chunks[this.chunks.length - 1];
    const since = windowSeconds === undefined ? -Infinity : newest.at(newest.points - 1) - windowSeconds;
    this.chunks.forEach((chunk, c) => {
      for (let i = c === 0 ? this.skipped : 0; i < chunk.points; i++) if (chunk.at(i) > since) out.push(unpack(chunk, i));
    });
    return out;
  }

  private dropOldest(): void {
    this.size -= 1;
    this.dropped += 1;
    this.skipped += 1;
    if (this.skipped === this.chunks[0].points) {
      this.chunks.shift();
      this.skipped = 0;
    }
  }

  /** The previous point's pids when it had the same workers: an hour of a steady server holds one array. */
  private pidsOf(workers: Workers, chunk: Chunk): Float64Array {
    const previous = chunk.pids[chunk.points - 1] ?? this.chunks[this.chunks.length - 2]?.pids.at(-1);
    if (previous && previous.length === workers.length && workers.every((w, k) => w.pid === previous[k])) return previous;
    return Float64Array.from(workers, (w) => w.pid);
  }
}

function unpack(chunk: Chunk, i: number): HistoryPoint {
  const f = chunk.f64;
  const s = chunk.f64Starts[i];
  const pids = chunk.pids[i];
  const flags = f[s + FLAGS];
  const workers: Workers = new Array<Workers[number]>(pids.length);
  if (flags & WIDE) {
    for (let k = 0, o = s + HEADER; k < pids.length; k++, o += 4) {
      workers[k] = { pid: pids[k], cpuPercent: nullForNaN(f[o]), rssBytes: nullForNaN(f[o + 1]), pssBytes: nullForNaN(f[o + 2]), rps: f[o + 3] };
    }
  } else {
    const u = chunk.u32;
    for (let k = 0, o = chunk.u32Starts[i]; k < pids.length; k++, o += 3) {
      const cpu = u[o];
      const rss = u[o + 1];
      const pss = u[o + 2];
      workers[k] = {
        pid: pids[k], cpuPercent: cpu === NULL_CODE ? null : cpu / 100, rssBytes: rss === NULL_CODE ? null : rss * 1024,
        pssBytes: pss === NULL_CODE ? null : pss * 1024, rps: f[s + HEADER + k],
      };
    }
  }
  const point: HistoryPoint = { at: f[s + AT], rps: f[s + RPS], workers };
  if (flags & HAS_LATENCY) point.latency = { p50: f[s + LATENCY], p95: f[s + LATENCY + 1], p99: f[s + LATENCY + 2] };
  else if (flags & NULL_LATENCY) point.latency = null;
  if (flags & HAS_STATUS) {
    point.status = { '2xx': f[s + STATUS], '3xx': f[s + STATUS + 1], '4xx': f[s + STATUS + 2], '5xx': f[s + STATUS + 3] };
  }
  if (flags & HAS_BUSY) point.busy = f[s + BUSY];
  return point;
}
