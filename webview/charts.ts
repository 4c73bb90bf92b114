// The chart cards, all on one time axis and one marker track: requests/s (total and per worker),
// latency percentiles, responses by status class, busy workers (saturation), CPU and memory per worker.
// Points are pushed as they come; the charts redraw in short tasks of their own, a few charts per task
// at most, so no task grows with the number of workers, and a hidden view draws nothing. The cards are
// laid out at once; Chart.js (liveChart.ts) is a chunk of its own, loaded by import(), and the six
// charts are created one per task; history waits in the backlog until they all exist.
import type { LifecycleEvent } from '../extension/protocol/agent';
import type { HistoryPoint } from '../extension/protocol/ui';
import { h, icon, setText } from './dom';
import { formatLatency, formatPercent, formatRate } from './format';
import type { LiveChart, LiveChartOptions, SeriesSummary } from './liveChart';
import { MarkerTrack } from './markers';
import { afterFrame, nextTask } from './nextTask';
import { perf } from './perf';
import { readTheme, type ThemeColors, type WorkerColors } from './theme';

const MiB = 1024 * 1024;
/** Axis labels: at most two decimals, none when whole. */
const round = (v: number) => String(Math.round(v * 100) / 100);

/** Work per task after which the remaining charts wait for the next task. */
const FRAME_BUDGET_MS = 8;
/** Workers beyond which CPU and memory get a mean line over the single ones. */
const MEAN_OVER = 12;
/** Work per task when feeding history to the charts. */
const FEED_BUDGET_MS = 8;
/** A young server's charts span its history, not an empty window, but never less than this. */
const MIN_SPAN_MS = 30_000;

export const CHART_NAMES = ['rps', 'latency', 'status', 'saturation', 'cpu', 'memory'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

interface CardSpec {
  title: string;
  unit: string;
  icon: string;
  /** Shown over an empty chart: why it is empty. */
  waiting: string;
  options: Omit<LiveChartOptions, 'title' | 'markers'>;
}

const ms = (v: number) => formatLatency(v / 1000);
const CARDS: Record<ChartName, CardSpec> = {
  rps: { title: 'Requests per second', unit: 'total and per worker', icon: 'graph-line', waiting: 'Waiting for samples…',
    options: { format: (v) => `${formatRate(v)}/s`, tick: (v) => `${round(v)}/s`, suggestedMax: 1 } },
  latency: { title: 'Latency', unit: 'p50 · p95 · p99 of each interval', icon: 'watch', waiting: 'No requests completed in this window.',
    options: { format: ms, tick: (v) => (v >= 1000 ? `${round(v / 1000)} s` : `${round(v)} ms`) } },
  status: { title: 'Responses by status', unit: 'per second, stacked', icon: 'pass', waiting: 'Waiting for samples…',
    options: { format: (v) => `${formatRate(v)}/s`, tick: (v) => `${round(v)}/s`, suggestedMax: 1, stacked: true } },
  saturation: { title: 'Busy workers', unit: 'busy vs live workers', icon: 'dashboard', waiting: 'Waiting for samples…',
    options: { format: (v) => String(Math.round(v)), integer: true, suggestedMax: 2 } },
  cpu: { title: 'CPU per worker', unit: '% of one core', icon: 'pulse', waiting: 'Waiting for samples…',
    options: { format: formatPercent, tick: (v) => `${round(v)} %`, suggestedMax: 10 } },
  memory: { title: 'Memory per worker', unit: 'RSS solid, PSS dashed', icon: 'server', waiting: 'Waiting for samples…',
    options: { format: (v) => `${v.toFixed(v < 10 ? 1 : 0)} MiB`, tick: (v) => `${round(v)} MiB` } },
};

/** Why a chart fed by an optional hub field is empty when the hub never sent that field. */
const NOT_REPORTED: Partial<Record<ChartName, string>> = {
  latency: 'This hub does not report latency percentiles.',
  status: 'This hub does not report status classes.',
};

interface Card {
  canvas: HTMLCanvasElement;
  empty: HTMLElement;
}

type Charts = Record<ChartName, LiveChart>;

export class DashboardCharts {
  readonly element: HTMLElement;
  readonly markers = new MarkerTrack();
  private readonly cards = {} as Record<ChartName, Card>;
  /** The six charts, once all are created; until then points wait in the backlog. */
  private charts: Charts | null = null;
  /** The first point shown since the last reload (epoch ms). */
  private oldestX: number | null = null;
  /** Optional hub fields seen in the points shown, to tell "not reported" from "nothing happened". */
  private readonly seen = { latency: false, status: false };
  private scheduled = false;
  /** History still to be fed to the charts after a reload. */
  private backlog: { points: HistoryPoint[]; next: number; windowSeconds: number; timer: ReturnType<typeof setTimeout> | undefined } | null =
    { points: [], next: 0, windowSeconds: 0, timer: undefined };
  /** The previous point's time and the sampling interval seen, to tell a missing sample from the next one. */
  private lastAt: number | null = null;
  /** The shortest step between samples: the agent's interval (a longer step is a gap, never the interval). */
  private intervalSeconds = Infinity;
  private theme: ThemeColors = readTheme();

  constructor(private readonly colors: WorkerColors) {
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.pending) this.schedule();
    });
    this.element = h('div', { class: 'charts-grid' });
    for (const name of CHART_NAMES) {
      const spec = CARDS[name];
      const canvas = h('canvas', { role: 'img', 'aria-label': `${spec.title}. No data yet.`, id: `chart-${name}` });
      const empty = h('p', { class: 'chart-empty', 'aria-hidden': 'true' }, 'Loading the chart…');
      this.element.append(h('section', { class: 'card chart-card', 'aria-labelledby': `chart-${name}-title`, 'data-chart': name },
        h('header', { class: 'card-header' },
          // Titles carry the icons' meaning; icons only help scanning.
          h('h2', { id: `chart-${name}-title` }, icon(spec.icon), spec.title),
          h('span', { class: 'unit' }, spec.unit)),
        h('div', { class: 'chart-box' }, canvas, empty)));
      this.cards[name] = { canvas, empty };
    }
    import('./liveChart').then(({ LiveChart }) => afterFrame(() => this.create(LiveChart, {})), (err: unknown) => {
      for (const { empty } of Object.values(this.cards)) setText(empty, `The charts did not load: ${String(err)}`);
    });
  }

  /**
   * One chart per task, each after a frame: a Chart.js instance measures its box (a forced layout, cheap
   * once the frame has laid the page out) and draws itself empty once. Then the history is fed.
   */
  private create(Live: typeof LiveChart, made: Partial<Charts>): void {
    const name = CHART_NAMES.find((n) => !made[n]);
    if (name) {
      const spec = CARDS[name];
      made[name] = perf.time('create', () => new Live(this.cards[name].canvas, { ...spec.options, title: spec.title, markers: this.markers }, this.theme));
      afterFrame(() => this.create(Live, made));
      return;
    }
    this.charts = made as Charts;
    this.feed();
  }

  /**
   * Replaces all series with the given history (server switch, time window change, resume). An hour of
   * 64 workers is a quarter of a million points: they are fed in slices, each its own short task, and
   * the charts draw once all are in; live points that arrive meanwhile queue behind them.
   */
  reload(history: HistoryPoint[], windowSeconds: number): void {
    for (const chart of this.all()) chart.clear();
    this.oldestX = null;
    this.lastAt = null;
    this.intervalSeconds = Infinity;
    this.seen.latency = this.seen.status = false;
    const newest = history[history.length - 1]?.at;
    const from = newest === undefined ? 0 : newest - windowSeconds - 1;
    // History is oldest first: find the window's start from the end rather than test every point.
    let start = history.length;
    while (start > 0 && history[start - 1]!.at >= from) start -= 1;
    if (this.backlog) clearTimeout(this.backlog.timer);
    this.backlog = { points: history.slice(start), next: 0, windowSeconds, timer: undefined };
    this.feed();
  }

  /** One live sample: push, trim, and redraw in place in the next tasks. */
  append(point: HistoryPoint, windowSeconds: number): void {
    if (this.backlog) {
      this.backlog.points.push(point);
      this.backlog.windowSeconds = windowSeconds;
      return;
    }
    this.addPoint(point);
    this.finish(point.at, windowSeconds);
  }

  private feed(): void {
    const b = this.backlog;
    if (!b || !this.charts) return;
    const start = performance.now();
    perf.time('feed', () => {
      while (b.next < b.points.length && performance.now() - start < FEED_BUDGET_MS) {
        for (const end = Math.min(b.points.length, b.next + 16); b.next < end;) this.addPoint(b.points[b.next++]!);
      }
    });
    if (b.next < b.points.length) {
      // A timer rather than nextTask: a reload can cancel the feed it replaces.
      b.timer = setTimeout(() => this.feed(), 0);
      return;
    }
    this.backlog = null;
    this.finish(b.points[b.points.length - 1]?.at ?? Date.now() / 1000, b.windowSeconds);
  }

  /** The selected server's lifecycle events, drawn as markers on every chart. */
  setEvents(events: LifecycleEvent[]): void {
    const before = this.markers.list;
    this.markers.set(events);
    if (this.markers.list === before) return;
    for (const chart of this.all()) chart.dirty = true;
    this.schedule();
  }

  /** Points handed to the charts since the page loaded. */
  get pointsReceived(): number {
    return this.all().reduce((sum, chart) => sum + chart.pointsPushed, 0);
  }

  /** True while history is still being fed in or some chart still has to draw what it was given. */
  get pending(): boolean {
    return this.backlog !== null || this.all().some((chart) => chart.dirty);
  }

  applyTheme(): void {
    this.theme = readTheme();
    for (const chart of this.all()) chart.applyTheme(this.theme);
    this.schedule();
  }

  /** Series per chart, for the test hook. */
  counts(): Record<ChartName, SeriesSummary[]> {
    return Object.fromEntries(CHART_NAMES.map((name) => [name, this.charts?.[name].counts() ?? []])) as Record<ChartName, SeriesSummary[]>;
  }

  private all(): LiveChart[] {
    return this.charts ? Object.values(this.charts) : [];
  }

  private addPoint(point: HistoryPoint): void {
    const x = point.at * 1000;
    this.oldestX ??= x;
    if (this.lastAt !== null && point.at > this.lastAt) this.intervalSeconds = Math.min(this.intervalSeconds, point.at - this.lastAt);
    this.lastAt = point.at;
    const { rps, latency, status, saturation, cpu, memory } = this.charts!;
    rps.push('total', { label: 'all workers', color: 'total', fill: true }, { x, y: point.rps });
    for (const w of point.workers) {
      const slot = this.colors.slot(w.pid);
      const style = { label: `pid ${w.pid}`, color: slot };
      // A worker's first sample has no CPU yet; a gap is more honest than a zero.
      if (w.cpuPercent !== null) cpu.push(String(w.pid), style, { x, y: w.cpuPercent });
      if (w.rssBytes !== null) memory.push(`rss ${w.pid}`, { label: `pid ${w.pid} RSS`, color: slot }, { x, y: w.rssBytes / MiB });
      if (w.pssBytes !== null) memory.push(`pss ${w.pid}`, { label: `pid ${w.pid} PSS`, color: slot, dash: true }, { x, y: w.pssBytes / MiB });
      rps.push(String(w.pid), style, { x, y: w.rps });
    }
    // Past a dozen workers single lines blur together: a mean line over them is what the eye can follow.
    if (point.workers.length > MEAN_OVER) {
      const mean = (pick: (w: HistoryPoint['workers'][number]) => number | null) => {
        let sum = 0;
        let n = 0;
        for (const w of point.workers) {
          const v = pick(w);
          if (v !== null) {
            sum += v;
            n += 1;
          }
        }
        return n > 0 ? sum / n : null;
      };
      const cpuMean = mean((w) => w.cpuPercent);
      const rssMean = mean((w) => w.rssBytes);
      if (cpuMean !== null) cpu.push('mean', { label: 'mean of workers', color: 'total' }, { x, y: cpuMean });
      if (rssMean !== null) memory.push('mean', { label: 'mean RSS of workers', color: 'total' }, { x, y: rssMean / MiB });
    }
    // Optional fields (a hub may predate them): absent means no point, never a made-up zero.
    if (point.latency !== undefined) this.seen.latency = true;
    if (point.latency) {
      latency.push('p50', { label: 'p50', color: 'p50' }, { x, y: point.latency.p50 * 1000 });
      latency.push('p95', { label: 'p95', color: 'p95' }, { x, y: point.latency.p95 * 1000 });
      latency.push('p99', { label: 'p99', color: 'p99' }, { x, y: point.latency.p99 * 1000 });
    }
    if (point.status) {
      this.seen.status = true;
      const s = point.status;
      status.push('2xx', { label: '2xx', color: 'ok', fill: true }, { x, y: s['2xx'] });
      status.push('3xx', { label: '3xx', color: 'info', fill: true }, { x, y: s['3xx'] });
      status.push('4xx', { label: '4xx', color: 'warn', fill: true }, { x, y: s['4xx'] });
      status.push('5xx', { label: '5xx', color: 'error', fill: true }, { x, y: s['5xx'] });
    }
    saturation.push('live', { label: 'live workers', color: 'total' }, { x, y: point.workers.length });
    if (typeof point.busy === 'number') saturation.push('busy', { label: 'busy', color: 'busy', fill: true }, { x, y: point.busy });
  }

  private finish(newestSeconds: number, windowSeconds: number): void {
    const max = newestSeconds * 1000;
    const windowStart = max - windowSeconds * 1000;
    const min = Math.max(windowStart, Math.min(this.oldestX ?? windowStart, max - MIN_SPAN_MS));
    // More than a few intervals without a sample (agent away, no requests for latency) is a gap.
    const gapMs = Number.isFinite(this.intervalSeconds) ? Math.max(2500, 3000 * this.intervalSeconds) : 2500;
    for (const chart of this.all()) {
      chart.setGap(gapMs);
      chart.trim(windowStart);
      chart.setRange(min, max);
    }
    this.schedule();
  }

  private schedule(): void {
    // Hidden (a background tab, a VS Code panel out of sight): draw when seen again.
    if (this.scheduled || document.hidden) return;
    this.scheduled = true;
    nextTask(() => {
      this.scheduled = false;
      this.renderNext();
    });
  }

  /**
   * Draws the charts that need it, in order, until this task's budget is spent; the rest wait for the
   * next task. A small server redraws all six in one task; 64 workers take about one chart per task.
   * Canvases drawn between two frames reach the screen in one commit.
   */
  private renderNext(): void {
    // Half-fed charts are not worth a frame: feed() schedules one when done.
    if (this.backlog || !this.charts || document.hidden) return;
    const start = performance.now();
    for (const name of CHART_NAMES) {
      const chart = this.charts[name];
      const { empty } = this.cards[name];
      if (!chart.dirty) continue;
      if (performance.now() - start > FRAME_BUDGET_MS) break;
      perf.time(`chart:${name}`, () => chart.render());
      const hasPoints = chart.hasPoints();
      empty.hidden = hasPoints;
      const reason = NOT_REPORTED[name as keyof typeof NOT_REPORTED];
      if (!hasPoints) setText(empty, reason && !this.seen[name as 'latency' | 'status'] ? reason : CARDS[name].waiting);
    }
    if (this.pending) this.schedule();
  }
}
