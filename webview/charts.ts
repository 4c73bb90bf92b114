// The chart cards: CPU % per worker, memory (RSS) per worker, requests/s (total and per worker),
// fed from the selected server's history points.
import type { HistoryPoint } from '../extension/protocol/ui';
import { h, icon } from './dom';
import { formatPercent, formatRate } from './format';
import { LiveChart, type SeriesSummary } from './liveChart';
import { readTheme, type ThemeColors, type WorkerColors } from './theme';

const MiB = 1024 * 1024;
/** Axis labels: at most two decimals, none when whole. */
const round = (v: number) => String(Math.round(v * 100) / 100);

/** A young server's charts span its history, not an empty window, but never less than this. */
const MIN_SPAN_MS = 30_000;

export type ChartName = 'cpu' | 'memory' | 'rps';

export class DashboardCharts {
  readonly element: HTMLElement;
  private readonly charts: Record<ChartName, LiveChart>;
  /** The first point shown since the last reload (epoch ms). */
  private oldestX: number | null = null;

  constructor(private readonly colors: WorkerColors) {
    const theme = readTheme();
    const card = (name: ChartName, title: string, unit: string) => {
      const canvas = h('canvas', { role: 'img', 'aria-label': `${title}. No data yet.`, id: `chart-${name}` });
      const el = h('section', { class: 'card chart-card', 'aria-labelledby': `chart-${name}-title`, 'data-chart': name },
        h('header', { class: 'card-header' },
          h('h2', { id: `chart-${name}-title` }, title),
          h('span', { class: 'unit' }, unit)),
        h('div', { class: 'chart-box' }, canvas));
      return { el, canvas };
    };
    const cpu = card('cpu', 'CPU per worker', '% of one core');
    const memory = card('memory', 'Memory per worker', 'RSS, MiB');
    const rps = card('rps', 'Requests per second', 'total and per worker');
    this.element = h('div', { class: 'charts-grid' }, cpu.el, memory.el, rps.el);
    this.charts = {
      cpu: new LiveChart(cpu.canvas, { title: 'CPU per worker', format: formatPercent, tick: (v) => `${round(v)} %`, suggestedMax: 10 }, theme),
      memory: new LiveChart(memory.canvas, { title: 'Memory per worker (RSS)', format: (v) => `${v.toFixed(v < 10 ? 1 : 0)} MiB`, tick: (v) => `${round(v)} MiB` }, theme),
      rps: new LiveChart(rps.canvas, { title: 'Requests per second', format: (v) => `${formatRate(v)}/s`, tick: (v) => `${round(v)}/s`, suggestedMax: 1 }, theme),
    };
    // Titles already carry the icons' meaning; icons only help scanning.
    cpu.el.querySelector('h2')!.prepend(icon('pulse'));
    memory.el.querySelector('h2')!.prepend(icon('server'));
    rps.el.querySelector('h2')!.prepend(icon('graph-line'));
  }

  /** Replaces all series with the given history (server switch, time window change, resume). */
  reload(history: HistoryPoint[], windowSeconds: number): void {
    for (const chart of Object.values(this.charts)) chart.clear();
    this.oldestX = null;
    const newest = history[history.length - 1]?.at;
    const from = newest === undefined ? 0 : newest - windowSeconds - 1;
    for (const point of history) if (point.at >= from) this.addPoint(point);
    this.finish(newest ?? Date.now() / 1000, windowSeconds);
  }

  /** One live sample: push, trim, redraw in place. */
  append(point: HistoryPoint, windowSeconds: number): void {
    this.addPoint(point);
    this.finish(point.at, windowSeconds);
  }

  /** Points handed to the charts since the page loaded. */
  get pointsReceived(): number {
    return Object.values(this.charts).reduce((sum, chart) => sum + chart.pointsPushed, 0);
  }

  applyTheme(theme: ThemeColors = readTheme()): void {
    for (const chart of Object.values(this.charts)) chart.applyTheme(theme);
  }

  /** Series lengths per chart, for the test hook. */
  counts(): Record<ChartName, SeriesSummary[]> {
    return { cpu: this.charts.cpu.counts(), memory: this.charts.memory.counts(), rps: this.charts.rps.counts() };
  }

  private addPoint(point: HistoryPoint): void {
    const x = point.at * 1000;
    this.oldestX ??= x;
    const { cpu, memory, rps } = this.charts;
    rps.push('total', { label: 'all workers', color: 'total', fill: true }, { x, y: point.rps });
    for (const w of point.workers) {
      const style = { label: `pid ${w.pid}`, color: this.colors.slot(w.pid) };
      // A worker's first sample has no CPU yet; a gap is more honest than a zero.
      if (w.cpuPercent !== null) cpu.push(String(w.pid), style, { x, y: w.cpuPercent });
      if (w.rssBytes !== null) memory.push(String(w.pid), style, { x, y: w.rssBytes / MiB });
      rps.push(String(w.pid), style, { x, y: w.rps });
    }
  }

  private finish(newestSeconds: number, windowSeconds: number): void {
    const max = newestSeconds * 1000;
    const windowStart = max - windowSeconds * 1000;
    const min = Math.max(windowStart, Math.min(this.oldestX ?? windowStart, max - MIN_SPAN_MS));
    for (const chart of Object.values(this.charts)) {
      chart.trim(windowStart);
      chart.setRange(min, max);
      chart.render();
    }
  }
}
