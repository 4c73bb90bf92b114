// The workers table: one row per live worker, updated cell by cell; a worker that exits stays a
// few seconds, struck through with its exit cause, so a restart is seen rather than guessed.
import type { LifecycleEvent } from '../extension/protocol/agent';
import type { ServerView, WorkerView } from '../extension/protocol/ui';
import { h, setText } from './dom';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format';
import type { WorkerColors } from './theme';

const EXITED_ROW_MS = 15_000;
const COLUMNS = ['PID', 'Age', 'State', 'Requests', 'CPU', 'RSS', 'PSS'] as const;

interface Row {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  exitedAt: number | null;
}

export class WorkersTable {
  readonly element: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly count: HTMLElement;
  private readonly rows = new Map<number, Row>();
  private readonly empty: HTMLTableRowElement;

  constructor(private readonly colors: WorkerColors) {
    this.tbody = h('tbody');
    this.empty = h('tr', { class: 'empty-row' }, h('td', { colspan: COLUMNS.length }, 'No workers reported yet.'));
    this.tbody.append(this.empty);
    this.count = h('span', { class: 'unit', id: 'workers-count' });
    this.element = h('section', { class: 'card workers-card', 'aria-labelledby': 'workers-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'workers-title' }, 'Workers'), this.count),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'workers-title' },
        h('table', { class: 'workers-table', id: 'workers-table' },
          h('caption', { class: 'visually-hidden' }, 'Gunicorn workers of the selected server, live'),
          h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col', class: numeric(c) ? 'num' : null }, c)))),
          this.tbody)));
  }

  clear(): void {
    for (const row of this.rows.values()) row.tr.remove();
    this.rows.clear();
    this.empty.hidden = false;
    setText(this.count, '');
  }

  update(server: ServerView, events: LifecycleEvent[], now = Date.now()): void {
    const live = new Set<number>();
    for (const worker of [...server.workers].sort((a, b) => a.age - b.age)) {
      live.add(worker.pid);
      this.fill(this.row(worker.pid), worker, server.lastSampleAt ?? now / 1000);
    }
    for (const [pid, row] of this.rows) {
      if (live.has(pid)) continue;
      if (row.exitedAt === null) {
        row.exitedAt = now;
        row.tr.classList.add('exited');
        const exit = [...events].reverse().find((e) => e.type === 'worker_exit' && e.pid === pid);
        setText(row.cells[2]!, exit && exit.type === 'worker_exit' ? `exited: ${exit.reason.replace('_', ' ')}` : 'exited');
      } else if (now - row.exitedAt > EXITED_ROW_MS) {
        row.tr.remove();
        this.rows.delete(pid);
      }
    }
    this.empty.hidden = this.rows.size > 0;
    setText(this.count, `${server.workers.length} of ${server.targetWorkers} target`);
  }

  private row(pid: number): Row {
    let row = this.rows.get(pid);
    if (!row) {
      const cells = COLUMNS.map((c) => h('td', { class: numeric(c) ? 'num' : null }));
      const tr = h('tr', { 'data-pid': pid }, ...cells);
      this.tbody.append(tr);
      row = { tr, cells, exitedAt: null };
      this.rows.set(pid, row);
    }
    return row;
  }

  private fill(row: Row, w: WorkerView, nowSeconds: number): void {
    const [pid, age, state, requests, cpu, rss, pss] = row.cells as [HTMLTableCellElement, ...HTMLTableCellElement[]];
    if (!pid.firstChild) {
      const swatch = h('span', { class: `swatch series-${this.colors.slot(w.pid) % 6}`, 'aria-hidden': 'true' });
      pid.append(swatch, h('span', { class: 'pid' }, String(w.pid)));
    }
    setText(age!, formatDuration(nowSeconds - w.bootedAt));
    age!.title = `worker age ${w.age} (Gunicorn's spawn counter); booted ${new Date(w.bootedAt * 1000).toLocaleTimeString()}`;
    setText(state!, w.state ?? '—');
    state!.className = w.state ? `state state-${w.state}` : 'state';
    setText(requests!, formatCount(w.requests));
    setText(cpu!, formatPercent(w.cpuPercent));
    setText(rss!, formatBytes(w.rssBytes));
    setText(pss!, formatBytes(w.pssBytes));
  }
}

function numeric(column: (typeof COLUMNS)[number]): boolean {
  return column === 'Requests' || column === 'CPU' || column === 'RSS' || column === 'PSS' || column === 'Age';
}
