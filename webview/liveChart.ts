// One Chart.js line chart on a linear time axis (epoch ms, labelled as clock time, no date adapter),
// updated in place: points are pushed and old ones dropped, the chart is never re-created.
import {
  Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartDataset,
} from 'chart.js';
import { formatClock } from './format';
import type { ThemeColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, Decimation, Filler);

export interface XY {
  x: number;
  y: number;
}

export interface SeriesStyle {
  label: string;
  /** Index into the theme's series colours, or 'total' for the all-workers line. */
  color: number | 'total';
  fill?: boolean;
}

export interface SeriesSummary {
  label: string;
  points: number;
  max: number;
  last: number | null;
}

interface Series {
  style: SeriesStyle;
  /** Our own array: decimation swaps dataset.data for a reduced copy, so we never push through it. */
  data: XY[];
  dataset: ChartDataset<'line', XY[]>;
}

/** Legends beyond this many series take more room than the chart; the table names the workers. */
const MAX_LEGEND_SERIES = 12;

export class LiveChart {
  private readonly chart: Chart<'line', XY[]>;
  private readonly series = new Map<string, Series>();
  private theme: ThemeColors;
  /** Points ever pushed, for the test hook. */
  pointsPushed = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly opts: { title: string; format: (y: number) => string; tick?: (y: number) => string; suggestedMax?: number },
    theme: ThemeColors,
  ) {
    this.theme = theme;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            grid: { display: false },
            // Ticks on round clock times (…:00, …:30), which linear ticks from an arbitrary min are not.
            afterBuildTicks: (scale) => {
              scale.ticks = clockTicks(scale.min, scale.max).map((value) => ({ value }));
            },
            ticks: { maxRotation: 0, autoSkip: true, callback: (v) => formatClock(Number(v)) },
          },
          y: {
            beginAtZero: true,
            suggestedMax: opts.suggestedMax,
            ticks: { maxTicksLimit: 5, callback: (v) => (opts.tick ?? opts.format)(Number(v)) },
          },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'min-max' },
          legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 2, padding: 8 } },
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

  /** Adds one point to a series (created on first use); call render() once after a batch. */
  push(key: string, style: SeriesStyle, point: XY): void {
    let series = this.series.get(key);
    if (!series) {
      const data: XY[] = [];
      const dataset: ChartDataset<'line', XY[]> = { label: style.label, data };
      series = { style, data, dataset };
      this.series.set(key, series);
      this.styleSeries(series);
      this.chart.data.datasets.push(dataset);
    }
    series.data.push(point);
    this.pointsPushed += 1;
  }

  /** Drops points older than minX, and series left with none (workers that exited long ago). */
  trim(minX: number): void {
    for (const [key, series] of this.series) {
      let drop = 0;
      // Keep one point left of the window so the line enters from the edge.
      while (drop + 1 < series.data.length && series.data[drop + 1]!.x < minX) drop += 1;
      if (drop > 0) series.data.splice(0, drop);
      if (series.data.length === 0 || series.data[series.data.length - 1]!.x < minX) {
        this.series.delete(key);
        this.chart.data.datasets = this.chart.data.datasets.filter((d) => d !== series.dataset);
      }
    }
  }

  clear(): void {
    this.series.clear();
    this.chart.data.datasets = [];
  }

  setRange(minX: number, maxX: number): void {
    const x = this.chart.options.scales!.x!;
    x.min = minX;
    x.max = maxX;
  }

  render(): void {
    const legend = this.chart.options.plugins!.legend!;
    legend.display = this.series.size > 0 && this.series.size <= MAX_LEGEND_SERIES;
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
    this.chart.update('none');
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
    const color = style.color === 'total' ? this.theme.total : this.theme.series[style.color % this.theme.series.length]!;
    dataset.borderColor = color;
    dataset.backgroundColor = style.fill ? withAlpha(color, 0.15) : color;
    dataset.fill = style.fill ? 'origin' : false;
    dataset.borderWidth = style.color === 'total' ? 2 : 1.5;
  }

  /** A sentence for screen readers: the latest value of each series. */
  private describe(): string {
    const latest = [...this.series.values()]
      .filter((s) => s.data.length > 0)
      .map((s) => `${s.style.label} ${this.opts.format(s.data[s.data.length - 1]!.y)}`);
    return `${this.opts.title}. ${latest.length ? `Latest: ${latest.join(', ')}.` : 'No data yet.'}`;
  }
}

const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

/** At most six ticks at whole multiples of a round step (local clock: time zones are whole minutes). */
export function clockTicks(min: number, max: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [];
  const step = TICK_STEPS_MS.find((s) => span / s <= 6) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
  const offset = new Date(min).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((min - offset) / step) * step + offset; t <= max; t += step) ticks.push(t);
  return ticks;
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
