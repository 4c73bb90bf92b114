// One Chart.js line chart on a linear time axis (epoch ms, labelled as clock time, no date adapter),
// updated in place: points are pushed and old ones dropped, the chart is never re-created. Drawing is
// left to render(), which the charts spread over short tasks. Past BULK_OVER worker series the
// per-worker lines are drawn by bulkLines.ts rather than as Chart.js datasets (it says why).
import {
  Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset,
} from 'chart.js';
import { bulkLinesPlugin, type BulkLine } from './bulkLines';
import { clockTicks, ticksThatFit } from './clockTicks';
import { formatClock } from './format';
import { markerPlugin, type MarkerTrack } from './markers';
import { bucketFor, bucketMeans, bucketMinMax, type XY } from './thin';
import type { NamedColor, ThemeColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, Filler);

export type { XY };

export interface SeriesStyle {
  label: string;
  /** A worker's colour slot, or a colour with a meaning (total, 5xx, p99…). */
  color: number | NamedColor;
  fill?: boolean;
  /** Dashed: the second measure of the same worker (PSS next to RSS). */
  dash?: boolean;
}

export interface SeriesSummary {
  label: string;
  points: number;
  max: number;
  last: number | null;
}

export interface LiveChartOptions {
  title: string;
  format: (y: number) => string;
  tick?: (y: number) => string;
  suggestedMax?: number;
  /** Whole numbers only on the y axis (worker counts). */
  integer?: boolean;
  /** Series stack on each other (status classes add up to the request rate). */
  stacked?: boolean;
  markers: MarkerTrack;
}

interface Series {
  style: SeriesStyle;
  /**
   * Our own array, never handed to Chart.js: it patches the arrays it is given so that every push and
   * splice updates its elements at once, which costs more than the whole redraw at 64 workers. render()
   * hands it a frozen copy instead (Chart.js leaves non-extensible arrays alone).
   */
  data: XY[];
  dataset: ChartDataset<'line', XY[]>;
  /** The same line for bulk drawing. */
  bulk: BulkLine;
}

/** Legends beyond this many series take more room than the chart; the table names the workers. */
const MAX_LEGEND_SERIES = 12;
/** Series the screen-reader sentence names before it says "and N more". */
const MAX_DESCRIBED = 6;
/** Worker series beyond this many are drawn in bulk (12 workers with RSS and PSS stay datasets). */
const BULK_OVER = 24;

export class LiveChart {
  private readonly chart: Chart<'line', XY[]>;
  private readonly series = new Map<string, Series>();
  private theme: ThemeColors;
  /** Points ever pushed, for the test hook. */
  pointsPushed = 0;
  /** Data or range changed since the last render. */
  dirty = true;
  /** Points further apart than this (ms) are not joined: a missing sample shows as a gap, not a slope. */
  private gapMs = 3000;
  /** The series set changed: the chart's dataset list is rebuilt at the next render. */
  private membershipChanged = false;
  private bulkMode = false;
  private bulkLines: BulkLine[] = [];

  constructor(private readonly canvas: HTMLCanvasElement, private readonly opts: LiveChartOptions, theme: ThemeColors) {
    // The time labels' form for the ticks built last: seconds only while the step is under a minute.
    let withSeconds = true;
    this.theme = theme;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      plugins: [
        bulkLinesPlugin(() => this.bulkLines, () => Number(this.chart.options.spanGaps) || this.gapMs),
        markerPlugin(opts.markers, () => this.theme),
      ],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        // Resized charts update in their own tasks (each a timer), not all six in one frame.
        resizeDelay: 30,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        spanGaps: 3000,
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            grid: { display: false },
            // Ticks on round clock times (…:00, …:30), which linear ticks from an arbitrary min are not;
            // as many as fit the chart's width without labels running into each other.
            afterBuildTicks: (scale) => {
              const ticks = clockTicks(scale.min, scale.max, ticksThatFit(scale.width));
              withSeconds = ticks.length < 2 || (ticks[1]! - ticks[0]!) < 60_000;
              scale.ticks = ticks.map((value) => ({ value }));
            },
            ticks: { maxRotation: 0, autoSkip: true, callback: (v) => formatClock(Number(v), withSeconds) },
          },
          y: {
            beginAtZero: true,
            stacked: opts.stacked ?? false,
            suggestedMax: opts.suggestedMax,
            // Counts (busy of live workers) get room above, so a line at the maximum is not the frame's edge.
            grace: opts.integer ? '10%' : 0,
            ticks: { maxTicksLimit: 5, precision: opts.integer ? 0 : undefined, callback: (v) => (opts.tick ?? opts.format)(Number(v)) },
          },
        },
        plugins: {
          legend: {
            position: 'bottom',
            // A second measure of the same worker (dashed) shares its colour: one legend entry is enough.
            labels: { boxWidth: 10, boxHeight: 2, padding: 8, filter: (item) => !item.lineDash?.length },
          },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? formatClock(items[0].parsed.x ?? 0) : ''),
              label: (item) => `${item.dataset.label}: ${opts.format(item.parsed.y ?? 0)}`,
            },
          },
        },
      },
    });
    this.applyTheme(theme);
  }

  /** Adds one point to a series (created on first use); render() draws a batch later. */
  push(key: string, style: SeriesStyle, point: XY): void {
    let series = this.series.get(key);
    if (!series) {
      const data: XY[] = [];
      const dataset: ChartDataset<'line', XY[]> = { label: style.label, data: Object.freeze([]) as unknown as XY[] };
      series = { style, data, dataset, bulk: { data: [], color: '', dash: false, width: 1 } };
      this.series.set(key, series);
      this.styleSeries(series);
      this.membershipChanged = true;
    }
    series.data.push(point);
    this.pointsPushed += 1;
    this.dirty = true;
  }

  /** Drops points older than minX, and series left with none (workers that exited long ago). */
  trim(minX: number): void {
    let removed = false;
    for (const [key, series] of this.series) {
      let drop = 0;
      // Keep one point left of the window so the line enters from the edge.
      while (drop + 1 < series.data.length && series.data[drop + 1]!.x < minX) drop += 1;
      if (drop > 0) series.data.splice(0, drop);
      if (series.data.length === 0 || series.data[series.data.length - 1]!.x < minX) {
        this.series.delete(key);
        removed = true;
      }
    }
    if (removed) this.membershipChanged = true;
  }

  clear(): void {
    this.series.clear();
    this.membershipChanged = true;
    this.dirty = true;
  }

  setRange(minX: number, maxX: number): void {
    const x = this.chart.options.scales!.x!;
    if (x.min === minX && x.max === maxX) return;
    x.min = minX;
    x.max = maxX;
    this.dirty = true;
  }

  /** The longest gap (ms) still drawn as a line: a few sample intervals. */
  setGap(ms: number): void {
    if (ms !== this.gapMs) this.dirty = true;
    this.gapMs = ms;
  }

  hasPoints(): boolean {
    for (const s of this.series.values()) if (s.data.length > 0) return true;
    return false;
  }

  render(): void {
    this.dirty = false;
    const o = this.chart.options.plugins!;
    const x = this.chart.options.scales!.x!;
    const span = Number(x.max ?? 0) - Number(x.min ?? 0);
    // About one point per two pixels: a finer line would not show more (thin.ts says how).
    const points = Math.max(100, Math.round(this.chart.width / 2));
    const bucketMs = bucketFor(span, points, this.opts.stacked ? 1 : 2);
    const all = [...this.series.values()];
    const bulk = all.filter((s) => typeof s.style.color === 'number').length > BULK_OVER;
    if (bulk !== this.bulkMode || this.membershipChanged) {
      this.bulkMode = bulk;
      this.membershipChanged = false;
      this.chart.data.datasets = all.filter((s) => !bulk || typeof s.style.color !== 'number').map((s) => s.dataset);
      this.bulkLines = bulk ? all.filter((s) => typeof s.style.color === 'number').map((s) => s.bulk) : [];
    }
    let bulkMax = 0;
    const minX = Number(x.min ?? -Infinity);
    for (const s of all) {
      const thinned = bucketMs === 0 ? s.data.slice() : this.opts.stacked ? bucketMeans(s.data, bucketMs) : bucketMinMax(s.data, bucketMs);
      s.dataset.data = Object.freeze(thinned) as XY[];
      s.bulk.data = thinned;
      if (bulk && typeof s.style.color === 'number') for (const p of thinned) if (p.x >= minX && p.y > bulkMax) bulkMax = p.y;
    }
    // Bulk lines are no datasets, so the y axis is told how high they go.
    this.chart.options.scales!.y!.suggestedMax = Math.max(this.opts.suggestedMax ?? 0, bulkMax) || undefined;
    // In bulk the legend names only the datasets left (the total, the mean): the table names workers.
    const inLegend = all.filter((s) => !s.style.dash && (!bulk || typeof s.style.color !== 'number')).length;
    o.legend!.display = inLegend > 0 && inLegend <= MAX_LEGEND_SERIES;
    // A thinned point stands for a bucket: points one bucket or two apart are no gap.
    this.chart.options.spanGaps = Math.max(this.gapMs, 2.5 * bucketMs);
    if (this.opts.stacked) this.fillBetween();
    this.chart.update('none');
    this.canvas.setAttribute('aria-label', this.describe());
  }

  applyTheme(theme: ThemeColors): void {
    this.theme = theme;
    const o = this.chart.options;
    o.color = theme.muted;
    o.font = { family: theme.fontFamily, size: 11 };
    for (const axis of [o.scales!.x!, o.scales!.y!]) {
      axis.grid = { ...axis.grid, color: theme.grid };
      axis.border = { color: theme.grid };
      axis.ticks!.color = theme.muted;
    }
    for (const series of this.series.values()) this.styleSeries(series);
    this.dirty = true;
  }

  /** What each series holds now, for the test hook. */
  counts(): SeriesSummary[] {
    return [...this.series.values()].map((s) => ({
      label: s.style.label,
      points: s.data.length,
      max: s.data.reduce((m, p) => Math.max(m, p.y), 0),
      last: s.data[s.data.length - 1]?.y ?? null,
    }));
  }

  private styleSeries(series: Series): void {
    const { style, dataset } = series;
    const t = this.theme;
    const color = typeof style.color === 'number' ? t.series[style.color % t.series.length]! : t.named[style.color];
    const strong = style.color === 'total';
    dataset.borderColor = color;
    // High contrast: solid lines only, no translucent areas that blur into the background.
    const fill = style.fill && !t.highContrast;
    dataset.backgroundColor = fill ? withAlpha(color, this.opts.stacked ? 0.35 : 0.15) : color;
    dataset.fill = fill ? 'origin' : false;
    // Stacked areas are read by their fill: a hairline edge is enough (and far cheaper to draw in software).
    dataset.borderWidth = (strong ? 2 : this.opts.stacked ? 1 : 1.5) + (t.highContrast ? 0.5 : 0);
    dataset.borderDash = style.dash ? [4, 3] : [];
    series.bulk.color = color;
    series.bulk.dash = style.dash ?? false;
    series.bulk.width = t.highContrast ? 1.5 : 1;
  }

  /**
   * Stacked areas fill down to the dataset under them ('-1'), the lowest to the axis. Chart.js's own
   * 'stack' fill looks the lower lines up point by point (quadratic in the points): it was most of the
   * status chart's redraw. Our series share their x values, so both draw the same areas.
   */
  private fillBetween(): void {
    this.chart.data.datasets.forEach((d, i) => {
      if (d.fill) d.fill = i === 0 ? 'origin' : '-1';
    });
  }

  /** A sentence for screen readers: the latest value of the first few series. */
  private describe(): string {
    const latest = [...this.series.values()]
      .filter((s) => s.data.length > 0)
      .map((s) => `${s.style.label} ${this.opts.format(s.data[s.data.length - 1]!.y)}`);
    const more = latest.length > MAX_DESCRIBED ? `, and ${latest.length - MAX_DESCRIBED} more series` : '';
    return `${this.opts.title}. ${latest.length ? `Latest: ${latest.slice(0, MAX_DESCRIBED).join(', ')}${more}.` : 'No data yet.'}`;
  }
}

/** Translucent fill from a theme colour in #rgb, #rrggbb or rgb() form. */
function withAlpha(color: string, alpha: number): string {
  const hex = color.match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = color.match(/^rgba?\(([^)]+)\)$/)?.[1]?.split(',').slice(0, 3).join(',');
  return rgb ? `rgba(${rgb}, ${alpha})` : color;
}
