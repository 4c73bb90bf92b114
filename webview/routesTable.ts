// The routes table: requests per method and route since the hub first saw the server, with the rate
// and latency percentiles the hub estimates, and errors (5xx or the app raised). Sortable; rows are
// kept and updated in place, so a sort chosen by the user survives every update. Each row's flame
// button opens the Profile view on that route.
import type { RouteView, ServerView } from '../extension/protocol/ui';
import { h, icon, setText } from './dom';
import { formatCount, formatLatency, formatRate } from './format';
import { applyOrder, SortableHeader, type Column } from './sortable';

interface Row {
  tr: HTMLTableRowElement;
  cells: Record<string, HTMLTableCellElement>;
  route: RouteView;
}

const COLUMNS: Column<Row>[] = [
  { key: 'method', label: 'Method', sortValue: (r) => r.route.method },
  { key: 'route', label: 'Route', help: 'Path with ids and tokens folded into {id}, {uuid}, {hex}', sortValue: (r) => r.route.route },
  { key: 'count', label: 'Requests', numeric: true, help: 'Completed since the hub first saw this server', sortValue: (r) => r.route.count },
  { key: 'rps', label: 'Rate', numeric: true, help: 'Requests per second, smoothed over about a minute', sortValue: (r) => r.route.rps },
  { key: 'p50', label: 'p50', numeric: true, help: 'Median latency', sortValue: (r) => r.route.p50 },
  { key: 'p95', label: 'p95', numeric: true, help: '95th percentile latency', sortValue: (r) => r.route.p95 },
  { key: 'p99', label: 'p99', numeric: true, help: '99th percentile latency', sortValue: (r) => r.route.p99 },
  { key: 'errors', label: 'Errors', numeric: true, help: '5xx answers plus requests whose app code raised, plus aborted ones', sortValue: (r) => r.route.errors },
  { key: 'aborted', label: 'Aborted', numeric: true, help: "Requests a worker was serving as it died (the master's timeout, a signal, out of memory): no response; their latency counts up to the death", sortValue: (r) => r.route.aborted ?? 0 },
  { key: 'profile', label: 'Profile', help: "Open the Profile view on this route's samples" },
];

export class RoutesTable {
  readonly element: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly header: SortableHeader<Row>;
  private readonly empty: HTMLElement;
  private readonly count: HTMLElement;
  private readonly rows = new Map<string, Row>();

  constructor(private readonly onProfile: (route: string) => void) {
    this.tbody = h('tbody');
    this.header = new SortableHeader(COLUMNS, { key: 'count', descending: true }, () => this.order());
    this.empty = h('p', { class: 'empty' }, 'No requests yet.');
    this.count = h('span', { class: 'unit' });
    this.element = h('section', { class: 'card routes-card', 'aria-labelledby': 'routes-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'routes-title' }, 'Routes'), this.count),
      this.empty,
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'routes-title' },
        h('table', { class: 'data-table routes-table', id: 'routes-table' },
          h('caption', { class: 'visually-hidden' }, 'Requests per route of the selected server; column headings sort'),
          this.header.element,
          this.tbody)));
  }

  clear(): void {
    this.tbody.replaceChildren();
    this.rows.clear();
  }

  update(server: ServerView): void {
    const routes = server.routes;
    // An older hub sends no routes at all: say so rather than show an empty table as "no traffic".
    setText(this.empty, routes === undefined ? 'This hub does not report routes.' : 'No requests yet.');
    const seen = new Set<string>();
    for (const route of routes ?? []) {
      const key = `${route.method} ${route.route}`;
      seen.add(key);
      let row = this.rows.get(key);
      if (!row) {
        const cells = Object.fromEntries(COLUMNS.map((c) => [c.key, h('td', { class: c.numeric ? 'num' : null, 'data-col': c.key })]));
        row = { tr: h('tr', { 'data-route': key }, ...Object.values(cells)), cells, route };
        setText(cells.method!, route.method);
        cells.route!.append(h('code', {}, route.route));
        cells.profile!.append(h('button', {
          type: 'button', class: 'icon-button', title: `Profile ${key}`, 'aria-label': `Profile ${key}`, onclick: () => this.onProfile(key),
        }, icon('flame')));
        this.rows.set(key, row);
      }
      row.route = route;
      this.fill(row);
    }
    for (const [key, row] of this.rows) {
      if (seen.has(key)) continue;
      row.tr.remove();
      this.rows.delete(key);
    }
    this.order();
    this.empty.hidden = this.rows.size > 0;
    setText(this.count, routes?.length ? `${routes.length} route${routes.length === 1 ? '' : 's'}` : '');
  }

  private order(): void {
    const rows = [...this.rows.values()].sort((a, b) => this.header.compare(a, b, (x, y) => x.route.route.localeCompare(y.route.route)));
    applyOrder(this.tbody, rows.map((r) => r.tr));
  }

  private fill(row: Row): void {
    const { route: r, cells: c } = row;
    setText(c.count!, formatCount(r.count));
    setText(c.rps!, `${formatRate(r.rps)}/s`);
    setText(c.p50!, formatLatency(r.p50));
    setText(c.p95!, formatLatency(r.p95));
    setText(c.p99!, formatLatency(r.p99));
    const share = r.count > 0 ? (100 * r.errors) / r.count : 0;
    setText(c.errors!, r.errors > 0 ? `${formatCount(r.errors)} (${share < 1 ? share.toFixed(1) : share.toFixed(0)} %)` : '0');
    c.errors!.classList.toggle('bad', r.errors > 0);
    setText(c.aborted!, formatCount(r.aborted ?? 0));
    c.aborted!.classList.toggle('bad', (r.aborted ?? 0) > 0);
  }
}
