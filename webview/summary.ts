// Key figures at a glance: workers live vs target (and busy), requests/s now, requests in total,
// latency and errors of the last interval, CPU and memory of all workers, and the master's own.
import type { HistoryPoint, ServerView } from '../extension/protocol/ui';
import { h, setText } from './dom';
import { formatBytes, formatCount, formatPercent, formatRate } from './format';
import { latencyCard } from './latencyCard';

const CARDS = [
  ['workers', 'Workers'],
  ['rps', 'Requests/s'],
  ['requests', 'Requests'],
  ['latency', 'Latency p95'],
  ['errors', 'Errors/s'],
  ['cpu', 'CPU'],
  ['memory', 'Memory'],
  ['master', 'Master'],
] as const;
type CardKey = (typeof CARDS)[number][0];

export class Summary {
  readonly element: HTMLElement;
  private readonly values = new Map<CardKey, { card: HTMLElement; value: HTMLElement; note: HTMLElement }>();

  constructor() {
    this.element = h('section', { class: 'summary', 'aria-label': 'Summary' });
    for (const [key, label] of CARDS) {
      const value = h('div', { class: 'kpi-value', id: `kpi-${key}` }, '—');
      const note = h('div', { class: 'kpi-note' });
      const card = h('div', { class: 'kpi', 'data-kpi': key }, h('div', { class: 'kpi-label' }, label), value, note);
      this.values.set(key, { card, value, note });
      this.element.append(card);
    }
  }

  update(server: ServerView, history: readonly HistoryPoint[]): void {
    const latest = history[history.length - 1];
    const sum = (pick: (w: ServerView['workers'][number]) => number | null) =>
      server.workers.reduce<number | null>((acc, w) => (pick(w) === null ? acc : (acc ?? 0) + pick(w)!), null);
    const busy = server.workers.filter((w) => w.state === 'busy').length;
    const known = server.workers.some((w) => w.state !== null);
    const short = server.workers.length < server.targetWorkers;
    const reloads = server.reloads ? ` · ${server.reloads} reload${server.reloads === 1 ? '' : 's'}` : '';
    this.set('workers', `${server.workers.length} / ${server.targetWorkers}`, `${known ? `${busy} busy` : 'live / target'}${reloads}`, short ? 'warn' : null);
    this.set('rps', latest ? formatRate(latest.rps) : '—', 'last interval');
    this.set('requests', formatCount(server.requestsTotal), 'since the hub saw this server');
    const latency = latencyCard(history);
    this.set('latency', latency.value, latency.note);
    const status = latest?.status;
    const errors = status ? status['5xx'] : null;
    this.set('errors', errors === null ? '—' : formatRate(errors), status ? `5xx; 4xx ${formatRate(status['4xx'])}/s` : 'not reported',
      errors !== null && errors >= 0.05 ? 'bad' : null); // red only for what shows as non-zero
    this.set('cpu', formatPercent(sum((w) => w.cpuPercent)), 'all workers, % of one core');
    this.set('memory', formatBytes(sum((w) => w.rssBytes)), `RSS of all workers; PSS ${formatBytes(sum((w) => w.pssBytes))}`);
    this.set('master', server.master ? formatBytes(server.master.rssBytes) : '—',
      server.master ? `pid ${server.master.pid}, CPU ${formatPercent(server.master.cpuPercent)}` : '');
  }

  private set(key: CardKey, value: string, note: string, tone: 'warn' | 'bad' | null = null): void {
    const entry = this.values.get(key)!;
    setText(entry.value, value);
    setText(entry.note, note);
    entry.card.classList.toggle('tone-warn', tone === 'warn');
    entry.card.classList.toggle('tone-bad', tone === 'bad');
  }
}
