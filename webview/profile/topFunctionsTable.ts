// Beside the flame graph: the functions that cost the most, as readable text — self and total share of
// the profile's samples, and the samples that passed through each. Sortable; the top rows only.
import type { ProfileResult } from '../../extension/protocol/ui';
import { h, setText } from '../dom';
import { formatCount } from '../format';
import { frameLink, isLibrary, type OpenFile } from '../frames';
import { applyOrder, SortableHeader, type Column } from '../sortable';
import { topFunctions, type TopFunction } from './topFunctions';

/** Rows shown: a long tail of one-sample functions helps no one and costs layout. */
const MAX_ROWS = 50;

interface Row { f: TopFunction; tr: HTMLTableRowElement }

const COLUMNS: Column<Row>[] = [
  { key: 'name', label: 'Function', sortValue: (r) => r.f.name },
  { key: 'self', label: 'Self', numeric: true, help: 'Share of the samples in which this function was running its own code (the innermost frame)', sortValue: (r) => r.f.self },
  { key: 'total', label: 'Total', numeric: true, help: 'Share of the samples with this function anywhere on the stack (itself and what it called)', sortValue: (r) => r.f.total },
  { key: 'samples', label: 'Samples', numeric: true, help: 'Samples with this function on the stack', sortValue: (r) => r.f.total },
];

export class TopFunctionsTable {
  readonly element: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly header: SortableHeader<Row>;
  private rows: Row[] = [];
  private all: TopFunction[] = [];
  private samples = 0;

  constructor(private readonly openFile: OpenFile) {
    this.tbody = h('tbody');
    this.header = new SortableHeader(COLUMNS, { key: 'self', descending: true }, () => this.render());
    this.element = h('section', { class: 'card top-functions-card', 'aria-labelledby': 'top-functions-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'top-functions-title' }, 'Top functions')),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'top-functions-title' },
        h('table', { class: 'data-table top-functions', id: 'top-functions' },
          h('caption', { class: 'visually-hidden' }, 'Functions of the profile by share of samples; column headings sort'),
          this.header.element,
          this.tbody)));
  }

  /** The functions, computed from the tree; the table redraws in the chosen order. */
  update(profile: ProfileResult | null): TopFunction[] {
    this.all = profile ? topFunctions(profile.root) : [];
    this.samples = profile?.samples ?? 0;
    this.render();
    return this.all;
  }

  private render(): void {
    const rows = this.all.map((f) => ({ f, tr: null as unknown as HTMLTableRowElement }));
    rows.sort((a, b) => this.header.compare(a, b, (x, y) => x.f.name.localeCompare(y.f.name)));
    this.rows = rows.slice(0, MAX_ROWS);
    for (const row of this.rows) row.tr = this.renderRow(row.f);
    this.tbody.replaceChildren();
    applyOrder(this.tbody, this.rows.map((r) => r.tr));
  }

  private renderRow(f: TopFunction): HTMLTableRowElement {
    const share = (n: number) => (this.samples > 0 ? `${((100 * n) / this.samples).toFixed(1)} %` : '—');
    const name = h('td', { 'data-col': 'name', class: isLibrary(f.file) ? 'fn-lib' : 'fn-own' },
      h('span', { class: 'fn-name' }, f.name), h('br'), frameLink(this.openFile, f.file, f.line));
    const tr = h('tr', { 'data-function': f.name },
      name,
      h('td', { class: 'num', 'data-col': 'self' }),
      h('td', { class: 'num', 'data-col': 'total' }),
      h('td', { class: 'num', 'data-col': 'samples' }));
    setText(tr.cells[1]!, share(f.self));
    setText(tr.cells[2]!, share(f.total));
    setText(tr.cells[3]!, formatCount(f.total));
    return tr;
  }
}
