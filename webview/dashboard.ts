// Lays out the views and routes each state change to the views it concerns.
import { Banner } from './banner';
import { DashboardCharts } from './charts';
import { Controls } from './controls';
import { h, icon } from './dom';
import { EventsList } from './eventsList';
import { Header } from './header';
import { afterFrame, nextTask } from './nextTask';
import { ProfileView } from './profile/profileView';
import { RoutesTable } from './routesTable';
import type { Change, DashboardState } from './state';
import { Summary } from './summary';
import { applyDerivedColors, onThemeChange, WorkerColors } from './theme';
import { Toolbar } from './toolbar';
import type { Transport } from './transport';
import { WorkersTable } from './workersTable';

type Tab = 'overview' | 'profile';

export class Dashboard {
  readonly charts: DashboardCharts;
  private readonly header: Header;
  private readonly toolbar: Toolbar;
  private readonly controls: Controls;
  private readonly banner: Banner;
  private readonly summary = new Summary();
  private readonly workers: WorkersTable;
  private readonly routes: RoutesTable;
  private readonly events: EventsList;
  private readonly content: HTMLElement;
  private readonly overview: HTMLElement;
  readonly profile: ProfileView;
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private tab: Tab = 'overview';
  private profiledServer: string | null = null;

  constructor(private readonly root: HTMLElement, private readonly state: DashboardState, transport: Transport) {
    const colors = new WorkerColors();
    this.header = new Header(state);
    this.toolbar = new Toolbar(state);
    this.controls = new Controls((msg) => transport.send(msg), () => state.selected);
    this.banner = new Banner(state);
    this.charts = new DashboardCharts(colors);
    this.workers = new WorkersTable(colors);
    this.events = new EventsList(transport.openFile);
    this.routes = new RoutesTable((route) => {
      this.showTab('profile');
      this.profile.showRoute(route);
    });
    this.profile = new ProfileView(state, transport);
    this.overview = h('div', { class: 'tab-panel', id: 'overview', role: 'tabpanel', 'aria-labelledby': 'tab-overview' },
      this.summary.element,
      this.charts.element,
      markerLegend(),
      this.workers.element,
      h('div', { class: 'lower-grid' }, this.routes.element, this.events.element));
    this.tabs = { overview: this.tabButton('overview', 'Overview', 'pulse'), profile: this.tabButton('profile', 'Profile', 'flame') };
    this.content = h('main', { class: 'content', id: 'content' },
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' }, this.tabs.overview, this.tabs.profile),
      this.overview,
      this.profile.element);
    this.showTab('overview');
    root.removeAttribute('aria-busy');
    root.replaceChildren(
      this.header.element,
      h('div', { class: 'toolbar' }, this.toolbar.element, this.controls.element, this.controls.confirmBar, this.controls.status),
      this.banner.element,
      this.content);
    state.subscribe((change) => this.onChange(change));
    applyDerivedColors();
    onThemeChange(() => {
      applyDerivedColors();
      this.charts.applyTheme();
      this.profile.flame.themeChanged();
    });
    // Once a second: retry countdown and the "no new samples" check, which change with no message.
    setInterval(() => this.renderState(), 1000);
    this.renderAll();
    this.showRequestedProfile();
    // The connection's state from the first frame on ("connecting…"), not only once the tables are drawn.
    this.renderState();
  }

  private onChange(change: Change): void {
    switch (change.kind) {
      case 'connection':
        this.header.renderBadge();
        this.renderState();
        return;
      case 'servers':
        this.renderAll();
        return;
      case 'update': {
        if (change.serverId !== this.state.selectedId) {
          this.header.render();
          return;
        }
        if (!this.state.paused) this.charts.append(change.point, this.state.windowSeconds);
        this.showServer();
        this.renderState();
        return;
      }
      case 'server':
        this.header.render();
        if (change.serverId === this.state.selectedId) this.showServer();
        this.renderState();
        return;
      case 'event':
        if (change.serverId !== this.state.selectedId) return;
        this.showEvents();
        this.controls.observe();
        return;
      case 'ack':
        this.controls.ack(change.id, change.ok, change.error);
        return;
      case 'showProfile':
        this.showRequestedProfile();
        return;
      case 'profile':
        this.profile.onAnswer(change.message);
        return;
      case 'history': {
        // Redraw only when the window reaches back past what the charts already had.
        const server = this.state.selected;
        if (change.serverId !== this.state.selectedId || !server) return;
        const windowStart = (server.history[server.history.length - 1]?.at ?? 0) - this.state.windowSeconds;
        if (windowStart < change.heldFrom) this.reloadCharts();
        return;
      }
      case 'view':
        this.profile.viewChanged();
        this.toolbar.render();
        this.header.renderBadge();
        this.reloadCharts();
        this.renderState();
        return;
    }
  }

  /** VS Code's "Profile Route…": the Profile tab, on the route. */
  private showRequestedProfile(): void {
    const request = this.state.profileRequest;
    if (!request) return;
    this.state.profileRequest = null;
    this.showTab('profile');
    if (request.route) this.profile.showRoute(request.route);
  }

  /** Overview (charts and tables) or Profile; arrow keys move between the tabs, as ARIA's tabs pattern says. */
  showTab(tab: Tab): void {
    this.tab = tab;
    for (const [name, button] of Object.entries(this.tabs) as Array<[Tab, HTMLButtonElement]>) {
      const active = name === tab;
      button.setAttribute('aria-selected', String(active));
      button.tabIndex = active ? 0 : -1;
    }
    this.overview.hidden = tab !== 'overview';
    this.profile.setActive(tab === 'profile');
  }

  private tabButton(tab: Tab, label: string, iconName: string): HTMLButtonElement {
    const button = h('button', { type: 'button', role: 'tab', class: 'tab', id: `tab-${tab}`, 'aria-controls': tab === 'profile' ? 'profile-view' : 'overview',
      onclick: () => this.showTab(tab) }, icon(iconName), label);
    button.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const next: Tab = this.tab === 'overview' ? 'profile' : 'overview';
      this.showTab(next);
      this.tabs[next].focus();
      e.preventDefault();
    });
    return button;
  }

  private renderAll(): void {
    if (this.state.selectedId !== this.profiledServer) {
      this.profiledServer = this.state.selectedId;
      this.profile.serverChanged();
    }
    this.header.render();
    this.toolbar.render();
    // Charts first: they meet workers in the order they lived, which fixes each worker's colour.
    this.reloadCharts();
    this.workers.clear();
    this.routes.clear();
    // The tables in tasks of their own, each after the frame that laid out the one before: with 64
    // workers, 50 routes and 200 events, one whole redraw took ~50 ms, and so did its first layout.
    nextTask(() => {
      this.showWorkers();
      this.renderState();
      afterFrame(() => {
        this.showRoutes();
        afterFrame(() => this.showEvents());
      });
    });
  }

  /** Everything about the selected server that is not a chart line. */
  private showServer(): void {
    this.showWorkers();
    this.showRoutes();
    this.showEvents();
  }

  private showWorkers(): void {
    const server = this.state.selected;
    if (!server) return;
    this.header.render();
    this.summary.update(server.view, server.history);
    this.workers.update(server.view, server.events);
    this.controls.observe();
  }

  private showRoutes(): void {
    const server = this.state.selected;
    if (server) this.routes.update(server.view);
  }

  private showEvents(): void {
    const events = this.state.selected?.events ?? [];
    this.events.show(events);
    // Paused charts keep their markers too: the picture holds still as a whole.
    if (!this.state.paused) this.charts.setEvents(events);
  }

  private reloadCharts(): void {
    if (this.state.paused) return;
    this.charts.reload(this.state.selected?.history ?? [], this.state.windowSeconds);
    this.charts.setEvents(this.state.selected?.events ?? []);
  }

  private renderState(): void {
    const { mode, frozen } = this.banner.render();
    this.root.dataset.mode = mode;
    this.content.hidden = mode !== 'live';
    this.content.classList.toggle('frozen', frozen);
    const server = this.state.selected?.view;
    this.controls.setTarget(server?.id ?? null, this.state.connection.kind === 'connected' && server?.connected === true);
    this.header.renderBadge();
  }
}

/** What the vertical lines on the charts mean (colours match markers.ts). */
function markerLegend(): HTMLElement {
  const item = (kind: string, text: string) => h('span', { class: 'marker-key' }, h('span', { class: `marker-swatch marker-${kind}`, 'aria-hidden': 'true' }), text);
  return h('p', { class: 'marker-legend', id: 'marker-legend' },
    h('span', { class: 'marker-legend-title' }, 'Markers on the charts:'),
    item('spawn', 'worker spawned'),
    item('exit', 'worker exited'),
    item('bad-exit', 'timeout, crash or killed'),
    item('signal', 'signal to the master (HUP, USR1, TTIN, TTOU…)'),
    item('stuck', 'request stuck'),
    h('span', { class: 'marker-hint' }, 'hover a marker for details'));
}
