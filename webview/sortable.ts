// A table header whose columns sort: each heading is a button (so Tab and Enter reach it), the active
// one says its direction with aria-sort and an arrow. Shared by the workers and routes tables.
import { h, icon } from './dom';

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  /** Hover text for the heading: what the column means. */
  help?: string;
  /** The value to sort by; absent for columns that do not sort. Null sorts last either way. */
  sortValue?: (row: T) => number | string | null;
}

export interface SortState {
  key: string;
  descending: boolean;
}

export class SortableHeader<T> {
  readonly element: HTMLTableSectionElement;
  private readonly cells = new Map<string, HTMLTableCellElement>();

  constructor(private readonly columns: Column<T>[], public sort: SortState, private readonly onChange: () => void) {
    this.element = h('thead', {}, h('tr', {}, ...columns.map((c) => {
      const th = h('th', { scope: 'col', class: c.numeric ? 'num' : null, title: c.help ?? null });
      if (c.sortValue) {
        th.append(h('button', { class: 'sort', type: 'button', onclick: () => this.toggle(c) }, c.label, icon('arrow-down')));
      } else {
        th.textContent = c.label;
      }
      this.cells.set(c.key, th);
      return th;
    })));
    this.paint();
  }

  /** Compares two rows by the active column; ties keep the given fallback order. */
  compare(a: T, b: T, fallback: (a: T, b: T) => number): number {
    const value = this.columns.find((c) => c.key === this.sort.key)?.sortValue;
    if (!value) return fallback(a, b);
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? fallback(a, b) : va === null ? 1 : -1;
    const d = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return (this.sort.descending ? -d : d) || fallback(a, b);
  }

  private toggle(column: Column<T>): void {
    // A new numeric column starts with the biggest first: that is what one looks for.
    this.sort = column.key === this.sort.key
      ? { key: column.key, descending: !this.sort.descending }
      : { key: column.key, descending: column.numeric === true };
    this.paint();
    this.onChange();
  }

  private paint(): void {
    for (const [key, th] of this.cells) {
      const active = key === this.sort.key;
      if (th.querySelector('button')) th.setAttribute('aria-sort', active ? (this.sort.descending ? 'descending' : 'ascending') : 'none');
      th.classList.toggle('sorted', active);
      th.classList.toggle('descending', active && this.sort.descending);
    }
  }
}

/** Reorders `rows` in `parent` to `order` only where they differ, so a steady table costs no DOM writes. */
export function applyOrder(parent: HTMLElement, order: HTMLElement[], before: Node | null = null): void {
  let cursor: ChildNode | null = parent.firstChild;
  for (const row of order) {
    if (cursor === row) {
      cursor = cursor.nextSibling;
      continue;
    }
    parent.insertBefore(row, cursor ?? before);
  }
}
