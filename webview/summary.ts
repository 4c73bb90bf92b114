// Key figures at a glance: workers live vs target, requests/s now, requests in total, CPU and memory.
import type { ServerView, HistoryPoint } from '../extension/protocol/ui';
import { h, setText } from './dom';
import { formatBytes, formatCount, formatPercent, formatRate } from './format';

const CARDS = [
  ['workers', 'Workers'],
  ['rps', 'Requests/s'],
  ['requests', 'Requests'],
  ['cpu', 'CPU, all workers'],
  ['memory', 'Memory, all workers'],
  ['master', 'Master'],
] as const;
type CardKey = (typeof CARDS)[number][0];

export class Summary {
  readonly element: HTMLElement;
  private readonly values = new Map<CardKey, { value: HTMLElement; note: HTMLElement }>();

  constructor() {
    this.element = h('section', { class: 'summary', 'aria-label': 'Summary' });
    for (const [key, label] of CARDS) {
      const value = h('div', { class: 'kpi-value', id: `kpi-${key}` }, '—');
      const note = h('div', { class: 'kpi-note' });
      this.values.set(key, { value, note });
      this.element.append(h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label), value, note));
    }
  }

  update(server: ServerView, latest: HistoryPoint | undefined): void {
    const sum = (pick: (w: ServerView['workers'][number]) => number | null) =>
      server.workers.reduce<number | null>((acc, w) => (pick(w) === null ? acc : (acc ?? 0) + pick(w)!), null);
    const busy = server.workers.filter((w) => w.state === 'busy').length;
    const known = server.workers.some((w) => w.state !== null);
    this.set('workers', `${server.workers.length} / ${server.targetWorkers}`, known ? `${busy} busy` : 'live / target');
    this.set('rps', latest ? formatRate(latest.rps) : '—', 'last interval');
    this.set('requests', formatCount(server.requestsTotal), 'since the hub saw this server');
    this.set('cpu', formatPercent(sum((w) => w.cpuPercent)), '% of one core, summed');
    this.set('memory', formatBytes(sum((w) => w.rssBytes)), 'RSS, summed');
    this.set('master', server.master ? formatBytes(server.master.rssBytes) : '—',
      server.master ? `pid ${server.master.pid}, CPU ${formatPercent(server.master.cpuPercent)}` : '');
  }

  private set(key: CardKey, value: string, note: string): void {
    const card = this.values.get(key)!;
    setText(card.value, value);
    setText(card.note, note);
  }
}
