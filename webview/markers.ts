// Restarts, signals and stuck requests as vertical markers on the charts' shared time axis: one Chart.js plugin,
// instantiated per chart, reading one MarkerTrack built from the selected server's lifecycle events.
// Markers closer than a few pixels merge, so a reload of 64 workers is one line, not 129.
import type { Chart, ChartEvent, Plugin } from 'chart.js';
import type { LifecycleEvent } from '../extension/protocol/agent';
import { withoutSigPrefix } from '../extension/protocol/constants';
import { formatClock, formatDuration, formatExit, isBadExit } from './format';
import type { NamedColor, ThemeColors } from './theme';

export type MarkerKind = 'spawn' | 'exit' | 'bad-exit' | 'signal' | 'stuck';

export interface Marker {
  /** Epoch milliseconds, as the charts' x axis. */
  x: number;
  kind: MarkerKind;
  /** Short text drawn at the top of the line ('' for none): the signal or the bad exit's cause. */
  tag: string;
  /** One phrase for the hover text. */
  text: string;
}

/** Signals the master gets as a side effect of what the other markers show already. */
const QUIET_SIGNALS = new Set(['SIGCHLD', 'SIGWINCH']);
const SEVERITY: Record<MarkerKind, number> = { spawn: 0, exit: 1, signal: 2, stuck: 3, 'bad-exit': 4 };
const COLOR: Record<MarkerKind, NamedColor> = { spawn: 'ok', exit: 'muted', signal: 'signal', stuck: 'warn', 'bad-exit': 'error' };
/** Markers nearer than this (CSS pixels) are drawn as one. */
const MERGE_PX = 4;

export function toMarker(e: LifecycleEvent): Marker | null {
  const x = e.at * 1000;
  switch (e.type) {
    case 'worker_spawn':
      return { x, kind: 'spawn', tag: '', text: `worker ${e.pid} spawned` };
    case 'worker_exit': {
      const bad = isBadExit(e.reason);
      return { x, kind: bad ? 'bad-exit' : 'exit', tag: bad ? e.reason.replace('_', ' ') : '', text: `worker ${e.pid} exited: ${formatExit(e)}` };
    }
    case 'signal':
      return QUIET_SIGNALS.has(e.signal) ? null : { x, kind: 'signal', tag: withoutSigPrefix(e.signal), text: `master received ${e.signal}` };
    case 'request_stuck':
      // A request, not an exit: it may still finish (or its worker time out, a bad-exit marker of its own).
      return { x, kind: 'stuck', tag: 'stuck', text: `request stuck in worker ${e.pid}: ${e.method} ${e.route}, running ${formatDuration(e.elapsed)}` };
    case 'request_exception':
      // The error-rate charts show failed requests already; a marker per exception would only repeat them.
      return null;
  }
}

/** The markers of one server, rebuilt only when its events change. */
export class MarkerTrack {
  private source: LifecycleEvent[] = [];
  list: Marker[] = [];

  set(events: LifecycleEvent[]): void {
    if (events === this.source) return;
    this.source = events;
    this.list = events.map(toMarker).filter((m): m is Marker => m !== null).sort((a, b) => a.x - b.x);
  }
}

interface Group {
  px: number;
  kind: MarkerKind;
  tags: Set<string>;
  members: Marker[];
}

/** A plugin drawing `track`'s markers on one chart; hovering a marker puts what happened in the canvas title. */
export function markerPlugin(track: MarkerTrack, theme: () => ThemeColors): Plugin<'line'> {
  let groups: Group[] = [];
  let hovered: Group | null = null;
  return {
    id: 'gunicornLiveMarkers',
    afterDatasetsDraw(chart) {
      groups = group(chart, track.list);
      if (groups.length === 0) return;
      draw(chart, groups, theme());
    },
    afterEvent(chart, args) {
      const g = nearest(groups, args.event);
      if (g === hovered) return;
      hovered = g;
      chart.canvas.title = g ? describe(g) : '';
    },
  };
}

function group(chart: Chart<'line'>, markers: Marker[]): Group[] {
  const x = chart.scales.x;
  if (!x || markers.length === 0) return [];
  const groups: Group[] = [];
  // Markers are sorted: skip to the window with a binary search, then walk it once.
  let lo = 0;
  let hi = markers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (markers[mid]!.x < x.min) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < markers.length && markers[i]!.x <= x.max; i++) {
    const m = markers[i]!;
    const px = x.getPixelForValue(m.x);
    const last = groups[groups.length - 1];
    if (last && px - last.px < MERGE_PX) {
      if (SEVERITY[m.kind] > SEVERITY[last.kind]) last.kind = m.kind;
      if (m.tag) last.tags.add(m.tag);
      last.members.push(m);
    } else {
      groups.push({ px, kind: m.kind, tags: new Set(m.tag ? [m.tag] : []), members: [m] });
    }
  }
  return groups;
}

function draw(chart: Chart<'line'>, groups: Group[], theme: ThemeColors): void {
  const { ctx, chartArea: area } = chart;
  ctx.save();
  ctx.beginPath();
  ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
  ctx.clip();
  ctx.lineWidth = theme.highContrast ? 2 : 1;
  ctx.font = `10px ${theme.fontFamily}`;
  ctx.textBaseline = 'top';
  // Two rows of labels: markers close together (TTIN right after HUP) both keep theirs.
  const rowEnds = [-Infinity, -Infinity];
  for (const g of groups) {
    const color = theme.named[COLOR[g.kind]];
    const px = Math.round(g.px) + 0.5;
    ctx.strokeStyle = color;
    ctx.globalAlpha = g.kind === 'spawn' || g.kind === 'exit' ? 0.6 : 0.9;
    // Routine restarts dashed; what needs a look (bad exits, signals) solid.
    ctx.setLineDash(g.kind === 'spawn' || g.kind === 'exit' ? [3, 3] : []);
    ctx.beginPath();
    ctx.moveTo(px, area.top);
    ctx.lineTo(px, area.bottom);
    ctx.stroke();
    if (g.tags.size === 0) continue;
    const text = [...g.tags].slice(0, 2).join(' · ');
    const width = ctx.measureText(text).width + 6;
    const left = Math.min(px + 2, area.right - width);
    const row = rowEnds.findIndex((end) => left >= end + 2);
    if (row < 0) continue; // never overprint a label: the hover text and events list have them all
    rowEnds[row] = left + width;
    const top = area.top + 1 + row * 14;
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.background;
    ctx.fillRect(left, top, width, 13);
    ctx.fillStyle = color;
    ctx.fillText(text, left + 3, top + 1);
  }
  ctx.restore();
}

function nearest(groups: Group[], event: ChartEvent): Group | null {
  if (event.type === 'mouseout' || event.x === null) return null;
  let best: Group | null = null;
  for (const g of groups) {
    const d = Math.abs(g.px - event.x);
    if (d <= MERGE_PX && (!best || d < Math.abs(best.px - event.x))) best = g;
  }
  return best;
}

/** "03:04:10 — master received SIGHUP; 2 workers spawned; worker 41 exited: reload …" */
function describe(g: Group): string {
  const spawned = g.members.filter((m) => m.kind === 'spawn');
  const rest = g.members.filter((m) => m.kind !== 'spawn');
  const lines = rest.slice(0, 8).map((m) => m.text);
  if (rest.length > 8) lines.push(`and ${rest.length - 8} more`);
  if (spawned.length === 1) lines.push(spawned[0]!.text);
  else if (spawned.length > 1) lines.push(`${spawned.length} workers spawned`);
  return `${formatClock(g.members[0]!.x)} — ${lines.join('; ')}`;
}
