// The Profile view: where the selected server's time goes, as a flame graph with the top functions
// beside it, for a route (or all), a worker (or all), wall or CPU time, over the dashboard's time window.
// It asks the hub every 2 s while shown (and not paused); an answer keeps the user's zoom and search.
import type { HubToUi, ProfileFileFormat, ProfileNode, ProfileResult } from '../../extension/protocol/ui';
import { h, setText } from '../dom';
import { formatCount } from '../format';
import { frameLink, isLibrary } from '../frames';
import type { DashboardState } from '../state';
import type { Transport } from '../transport';
import type { FlameRect } from './flameLayout';
import { FlameGraph } from './flameGraph';
import { searchFrames } from './flameSearch';
import { ProfileFilters } from './profileFilters';
import type { ProfileQueryFields } from './profileExport';
import { TopFunctionsTable } from './topFunctionsTable';
import type { TopFunction } from './topFunctions';

/** How often the view asks while shown: a profile's slices are 10 s, so faster would show little new. */
export const PROFILE_REFRESH_MS = 2000;
/** An unanswered request is given up after this (the socket dropped it), and asked again. */
const GIVE_UP_MS = 10_000;

export type ProfileViewState = 'idle' | 'loading' | 'ready' | 'off' | 'no-samples' | 'no-match' | 'error';

export class ProfileView {
  readonly element: HTMLElement;
  readonly flame: FlameGraph;
  readonly filters: ProfileFilters;
  private readonly table: TopFunctionsTable;
  private readonly status: HTMLElement;
  private readonly message: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly selected: HTMLElement;
  private readonly graphBox: HTMLElement;
  private active = false;
  private seq = 0;
  private pending: { id: string; key: string; at: number } | null = null;
  private result: ProfileResult | null = null;
  private resultKey = '';
  private answeredAt = 0;
  private search = '';
  private top: TopFunction[] = [];
  state: ProfileViewState = 'idle';
  /** Requests sent and answers used, for the test hook. */
  requests = 0;
  answers = 0;

  constructor(private readonly dashboard: DashboardState, private readonly transport: Transport) {
    this.flame = new FlameGraph((rect, x, y) => this.hover(rect, x, y), (node) => this.zoomed(node));
    this.filters = new ProfileFilters({
      change: () => this.refresh(),
      search: (q) => this.setSearch(q),
      resetZoom: () => {
        this.flame.resetZoom();
        this.zoomed(null);
      },
      export: (format) => void this.export(format),
    });
    this.table = new TopFunctionsTable(transport.openFile);
    this.status = h('p', { class: 'profile-status', id: 'profile-status', role: 'status' });
    this.message = h('p', { class: 'profile-message', id: 'profile-message', hidden: true });
    this.tooltip = h('div', { class: 'flame-tooltip', id: 'flame-tooltip', role: 'tooltip', hidden: true });
    this.selected = h('p', { class: 'profile-selected', id: 'profile-selected', hidden: true });
    this.graphBox = h('div', { class: 'flame-box' }, this.flame.element, this.tooltip);
    this.element = h('section', { class: 'profile-view', id: 'profile-view', role: 'tabpanel', 'aria-labelledby': 'tab-profile', hidden: true },
      this.filters.element,
      this.status,
      h('div', { class: 'profile-grid' },
        h('section', { class: 'card flame-card', 'aria-labelledby': 'flame-title' },
          h('header', { class: 'card-header' }, h('h2', { id: 'flame-title' }, 'Flame graph'),
            h('span', { class: 'unit' }, 'callers above, callees below · click a frame to zoom · your code in colour')),
          this.message, this.selected, this.graphBox),
        this.table.element));
    setInterval(() => this.tick(), 500);
  }

  /** Shown (the Profile tab) or not: only a shown view asks the hub. */
  setActive(active: boolean): void {
    this.active = active;
    this.element.hidden = !active;
    if (active) this.tick();
  }

  /** From the routes table: this route's profile. */
  showRoute(route: string): void {
    this.filters.setRoute(route);
    this.flame.resetZoom();
    this.zoomed(null);
    this.refresh();
  }

  /** Another server: its filters start over. */
  serverChanged(): void {
    this.filters.reset();
    this.result = null;
    this.resultKey = '';
    this.flame.resetZoom();
    this.refresh();
  }

  /** The time window or pause changed. */
  viewChanged(): void {
    this.refresh();
  }

  onAnswer(msg: Extract<HubToUi, { type: 'profile' }>): void {
    if (!this.pending || msg.id !== this.pending.id) return; // an older question's answer
    const key = this.pending.key;
    this.pending = null;
    this.answeredAt = Date.now();
    this.answers += 1;
    if (!msg.profile) {
      this.result = null;
      this.resultKey = key;
      this.show('error', msg.error ?? 'The hub has no profile for this server.');
      return;
    }
    this.result = msg.profile;
    this.resultKey = key;
    this.render();
  }

  /** What the view shows, for the test hook. */
  facts(): Record<string, unknown> {
    return {
      state: this.state, samples: this.result?.samples ?? 0, framesDrawn: this.flame.framesDrawn,
      topFunction: this.top[0]?.name ?? null, zoom: this.flame.zoomPath.length > 1 ? this.flame.zoomed!.name : null, query: this.resultKey,
      requests: this.requests, answers: this.answers, hz: this.result?.hz ?? null,
    };
  }

  /** Asks now (filters changed): the view says "loading" until the answer for them comes. */
  private refresh(): void {
    this.pending = null;
    this.answeredAt = 0;
    this.tick();
  }

  private query(): ProfileQueryFields | null {
    const server = this.dashboard.selectedId;
    if (!server) return null;
    const { route, pid, mode } = this.filters.values;
    return { serverId: server, window: this.dashboard.windowSeconds, mode, ...(route === null ? {} : { route }), ...(pid === null ? {} : { pid }) };
  }

  private tick(): void {
    if (!this.active) return;
    const q = this.query();
    if (!q || this.dashboard.connection.kind !== 'connected') return;
    const key = JSON.stringify(q);
    if (key !== this.resultKey && !this.result) this.show('loading', 'Loading the profile…');
    else if (key !== this.resultKey) this.setStatus('Loading…');
    // Paused: the picture holds still, as the charts do (a new filter is still answered).
    if (this.dashboard.paused && key === this.resultKey) return;
    const now = Date.now();
    if (this.pending && this.pending.key === key && now - this.pending.at < GIVE_UP_MS) return;
    if (key === this.resultKey && now - this.answeredAt < PROFILE_REFRESH_MS) return;
    const id = `p${++this.seq}`;
    this.pending = { id, key, at: now };
    if (this.transport.send({ type: 'profile', id, ...q })) this.requests += 1;
    else this.pending = null;
  }

  private render(): void {
    const p = this.result!;
    this.filters.fill(p);
    this.top = this.table.update(p);
    if (p.samples === 0) {
      this.flame.setData(null);
      const filtered = p.route !== null || p.pid !== null;
      if (!p.profilerOn) this.show('off', 'The profiler is off for this server: its agent runs with GUNICORN_LIVE_PROFILE=off, or predates profiles. Restart Gunicorn with the profiler on to see where the time goes.');
      else if (filtered) this.show('no-match', `No samples for ${describe(p)} in the last ${windowText(p.window)}. Pick another route or worker, or send it some traffic.`);
      else this.show('no-samples', `No samples yet: the profiler samples every worker ${p.hz ?? ''} times a second; they show here within seconds.`.replace('  ', ' '));
      this.setStatus('');
      return;
    }
    this.show('ready', p.profilerOn ? '' : 'The profiler is off now; these are the samples from before.');
    this.flame.setData(p.root);
    this.element.dataset.samples = String(p.samples);
    this.applySearch();
  }

  /** The profile's summary, or while searching what the search found. */
  private applySearch(): void {
    const p = this.result;
    if (!p || p.samples === 0) return;
    if (!this.search) {
      this.flame.setMatches(null);
      const seconds = p.hz ? ` (${(p.samples / p.hz).toFixed(1)} s of thread time at ${p.hz} Hz)` : '';
      const truncated = p.truncated > 0 ? ` · ${formatCount(p.truncated)} without a stack (over the agent's bounds)` : '';
      this.setStatus(`${formatCount(p.samples)} samples${seconds} · ${describe(p)} · ${p.mode === 'cpu' ? 'on CPU' : 'wall time'} · last ${windowText(p.window)}${truncated}`);
      return;
    }
    const found = searchFrames(p.root, this.search);
    this.flame.setMatches(found.matches);
    const share = p.root.total > 0 ? ((100 * found.samples) / p.root.total).toFixed(1) : '0';
    const n = found.matches.size;
    this.setStatus(`${n} frame${n === 1 ? '' : 's'} match “${this.search}” · ${share} % of samples pass through them`);
  }

  private show(state: ProfileViewState, text: string): void {
    this.state = state;
    this.element.dataset.state = state;
    this.message.hidden = text === '';
    this.message.className = `profile-message profile-${state}`;
    setText(this.message, text);
    this.graphBox.hidden = state !== 'ready';
    if (state !== 'ready') this.tooltip.hidden = true;
  }

  private setStatus(text: string): void {
    setText(this.status, text);
  }

  private setSearch(query: string): void {
    this.search = query.trim();
    this.applySearch();
  }

  private hover(rect: FlameRect | null, clientX: number, clientY: number): void {
    const total = this.result?.root.total ?? 0;
    if (!rect || total === 0) {
      this.tooltip.hidden = true;
      return;
    }
    const n = rect.node;
    const pct = (v: number) => `${((100 * v) / total).toFixed(1)} %`;
    const seconds = this.result?.hz ? ` · ${(n.total / this.result.hz).toFixed(2)} s` : '';
    this.tooltip.replaceChildren(
      h('strong', { class: 'tip-fn' }, n.name),
      h('code', { class: 'tip-where' }, n.file ? `${n.file}:${n.line}` : 'all samples'),
      h('span', { class: 'tip-samples' }, `${formatCount(n.total)} samples${seconds} · ${pct(n.total)} of total`),
      h('span', { class: 'tip-self' }, `self ${formatCount(n.self)} · ${pct(n.self)}`),
      h('span', { class: 'tip-kind' }, isLibrary(n.file) ? 'Python or a package' : 'your code'));
    this.tooltip.hidden = false;
    const box = this.graphBox.getBoundingClientRect();
    const x = clientX - box.left + 14;
    const y = clientY - box.top + 14;
    // Keep it inside the graph: flip to the left of the pointer near the right edge.
    const flip = x + 320 > box.width;
    this.tooltip.style.left = `${flip ? Math.max(0, x - 340) : x}px`;
    this.tooltip.style.top = `${y}px`;
  }

  private zoomed(node: ProfileNode | null): void {
    const zoomedIn = node !== null && this.flame.zoomPath.length > 1;
    this.filters.resetZoom.disabled = !zoomedIn;
    this.selected.hidden = !zoomedIn;
    if (!zoomedIn) return;
    this.selected.replaceChildren(h('span', {}, 'Zoomed into '), h('strong', {}, node.name), h('span', {}, ' at '),
      frameLink(this.transport.openFile, node.file, node.line));
  }

  private async export(format: ProfileFileFormat): Promise<void> {
    const q = this.query();
    if (!q) return;
    try {
      await this.transport.exportProfile(q, format);
    } catch (err) {
      this.setStatus(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function describe(p: ProfileResult): string {
  return `${p.route ?? 'all routes'} · ${p.pid === null ? 'all workers' : `worker ${p.pid}`}`;
}

function windowText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
