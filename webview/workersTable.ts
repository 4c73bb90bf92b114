// The workers table: one row per live worker, updated cell by cell, sortable. A new worker's row
// lights up as it appears; one that exits stays a few seconds, fading and struck through with its exit
// cause, so a restart is seen rather than guessed. "Last exit" is how the worker this one replaced went.
import type { LifecycleEvent } from '../extension/protocol/agent';
import type { ServerView, WorkerView } from '../extension/protocol/ui';
import { h, setAttr, setText } from './dom';
import { formatBytes, formatClock, formatCount, formatDuration, formatExit, formatLatency, formatPercent, isBadExit } from './format';
import { applyOrder, SortableHeader, type Column } from './sortable';
import type { WorkerColors } from './theme';

const EXITED_ROW_MS = 15_000;
const FRESH_ROW_MS = 3_000;
/** An in-flight request older than this is worth a colour: it is what a timeout looks like coming. */
const SLOW_SECONDS = 1;

interface Row {
  tr: HTMLTableRowElement;
  cells: Record<string, HTMLTableCellElement>;
  worker: WorkerView;
  exitedAt: number | null;
  freshUntil: number;
}

let nowSeconds = Date.now() / 1000;
const COLUMNS: Column<Row>[] = [
  { key: 'pid', label: 'PID', sortValue: (r) => r.worker.pid },
  { key: 'age', label: 'Age', numeric: true, help: 'Time since the worker booted', sortValue: (r) => nowSeconds - r.worker.bootedAt },
  { key: 'state', label: 'State', help: 'Busy handling a request, or idle', sortValue: (r) => (r.worker.state === 'busy' ? 1 : r.worker.state === 'idle' ? 0 : null) },
  { key: 'inFlight', label: 'In flight', help: 'The request the worker is handling now' },
  { key: 'elapsed', label: 'Elapsed', numeric: true, help: 'How long the in-flight request has run', sortValue: (r) => r.worker.inFlight?.elapsed ?? null },
  { key: 'requests', label: 'Requests', numeric: true, help: 'Requests completed since the worker booted', sortValue: (r) => r.worker.requests },
  { key: 'cpu', label: 'CPU', numeric: true, help: '% of one core over the last interval', sortValue: (r) => r.worker.cpuPercent },
  { key: 'rss', label: 'RSS', numeric: true, help: 'Resident memory, shared pages included', sortValue: (r) => r.worker.rssBytes },
  { key: 'pss', label: 'PSS', numeric: true, help: 'Proportional memory: shared pages split between the processes sharing them', sortValue: (r) => r.worker.pssBytes },
  { key: 'lastExit', label: 'Last exit', help: 'How the worker this one replaced exited', sortValue: (r) => r.worker.lastExit?.at ?? null },
];

export class WorkersTable {
  readonly element: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly header: SortableHeader<Row>;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly rows = new Map<number, Row>();
  private last: { server: ServerView; events: LifecycleEvent[] } | null = null;

  constructor(private readonly colors: WorkerColors) {
    this.tbody = h('tbody');
    this.header = new SortableHeader(COLUMNS, { key: 'age', descending: true }, () => this.redo());
    this.empty = h('p', { class: 'empty' }, 'No workers reported yet.');
    this.count = h('span', { class: 'unit', id: 'workers-count' });
    this.element = h('section', { class: 'card workers-card', 'aria-labelledby': 'workers-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'workers-title' }, 'Workers'), this.count),
      this.empty,
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'workers-title' },
        h('table', { class: 'data-table workers-table', id: 'workers-table' },
          h('caption', { class: 'visually-hidden' }, 'Gunicorn workers of the selected server, live; column headings sort'),
          this.header.element,
          this.tbody)));
  }

  clear(): void {
    for (const row of this.rows.values()) row.tr.remove();
    this.rows.clear();
    this.last = null;
    this.empty.hidden = false;
    setText(this.count, '');
  }

  update(server: ServerView, events: LifecycleEvent[], now = Date.now()): void {
    // The first rows of a server are not news; rows that appear later are.
    const news = this.last !== null;
    this.last = { server, events };
    nowSeconds = server.lastSampleAt ?? now / 1000;
    const live = new Set<number>();
    for (const worker of server.workers) {
      live.add(worker.pid);
      const row = this.row(worker, news ? now + FRESH_ROW_MS : 0);
      row.worker = worker;
      this.fill(row, nowSeconds);
      if (row.freshUntil && now > row.freshUntil) {
        row.freshUntil = 0;
        row.tr.classList.remove('fresh');
      }
    }
    for (const [pid, row] of this.rows) {
      if (live.has(pid)) continue;
      if (row.exitedAt === null) {
        row.exitedAt = now;
        row.tr.classList.remove('fresh');
        row.tr.classList.add('exited');
        const exit = findLast(events, (e) => e.type === 'worker_exit' && e.pid === pid);
        setText(row.cells.state!, exit?.type === 'worker_exit' ? `exited: ${exit.reason.replace('_', ' ')}` : 'exited');
        row.cells.state!.className = 'state';
        for (const key of ['inFlight', 'elapsed'] as const) setText(row.cells[key]!, '');
      } else if (now - row.exitedAt > EXITED_ROW_MS) {
        row.tr.remove();
        this.rows.delete(pid);
      }
    }
    this.order();
    this.empty.hidden = this.rows.size > 0;
    const busy = server.workers.filter((w) => w.state === 'busy').length;
    const states = server.workers.some((w) => w.state !== null);
    setText(this.count, `${server.workers.length} live of ${server.targetWorkers} target${states ? `, ${busy} busy` : ''}`);
  }

  /** Live rows in the chosen order, then the exited ones, newest exit first. */
  private order(): void {
    const rows = [...this.rows.values()];
    const live = rows.filter((r) => r.exitedAt === null).sort((a, b) => this.header.compare(a, b, (x, y) => x.worker.age - y.worker.age));
    const gone = rows.filter((r) => r.exitedAt !== null).sort((a, b) => b.exitedAt! - a.exitedAt!);
    applyOrder(this.tbody, [...live, ...gone].map((r) => r.tr));
  }

  private redo(): void {
    if (this.last) this.order();
  }

  private row(worker: WorkerView, freshUntil: number): Row {
    let row = this.rows.get(worker.pid);
    if (!row) {
      const cells = Object.fromEntries(COLUMNS.map((c) => [c.key, h('td', { class: c.numeric ? 'num' : null, 'data-col': c.key })]));
      const tr = h('tr', { 'data-pid': worker.pid, class: freshUntil ? 'fresh' : null }, ...Object.values(cells));
      const swatch = h('span', { class: `swatch series-${this.colors.slot(worker.pid) % 6}`, 'aria-hidden': 'true' });
      cells.pid!.append(swatch, h('span', { class: 'pid' }, String(worker.pid)));
      cells.age!.title = `Gunicorn's worker age ${worker.age}; booted at ${formatClock(worker.bootedAt * 1000)}`;
      row = { tr, cells, worker, exitedAt: null, freshUntil };
      this.rows.set(worker.pid, row);
    }
    return row;
  }

  private fill(row: Row, now: number): void {
    const w = row.worker;
    const c = row.cells;
    setText(c.age!, formatDuration(now - w.bootedAt));
    const inFlightCount = w.inFlightCount ?? 0;
    setText(c.state!, w.state ? `${w.state}${inFlightCount > 1 ? ` (${inFlightCount})` : ''}` : '—');
    setAttr(c.state!, 'class', w.state ? `state state-${w.state}` : 'state');
    // Absent: this hub or worker class does not say; null: nothing in flight.
    const flight = w.inFlight;
    setText(c.inFlight!, flight ? `${flight.method} ${flight.route}` : flight === null && inFlightCount === 0 ? '' : inFlightCount > 0 ? `${inFlightCount} requests` : '—');
    setAttr(c.inFlight!, 'title', flight ? `${flight.method} ${flight.route}` : '');
    setText(c.elapsed!, flight ? (flight.elapsed < 60 ? formatLatency(flight.elapsed) : formatDuration(flight.elapsed)) : '');
    c.elapsed!.classList.toggle('slow', !!flight && flight.elapsed >= SLOW_SECONDS);
    setText(c.requests!, formatCount(w.requests));
    setText(c.cpu!, formatPercent(w.cpuPercent));
    setText(c.rss!, formatBytes(w.rssBytes));
    setText(c.pss!, formatBytes(w.pssBytes));
    const exit = w.lastExit;
    setText(c.lastExit!, exit ? formatExit(exit) : exit === null ? 'none' : '—');
    setAttr(c.lastExit!, 'title', exit ? `worker ${exit.pid} exited at ${formatClock(exit.at * 1000)}: ${formatExit(exit)}`
      : exit === null ? 'This worker replaced none (first start, or added by TTIN)' : '');
    setAttr(c.lastExit!, 'class', exit ? (isBadExit(exit.reason) ? 'exit-bad' : 'exit-ok') : 'muted');
  }
}

function findLast<T>(list: T[], test: (item: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return list[i];
  return undefined;
}
