// Lays out the views and routes each state change to the views it concerns.
import { Banner } from './banner';
import { DashboardCharts } from './charts';
import { Controls } from './controls';
import { h } from './dom';
import { EventsList } from './eventsList';
import { Header } from './header';
import type { Change, DashboardState } from './state';
import { Summary } from './summary';
import { onThemeChange, WorkerColors } from './theme';
import { Toolbar } from './toolbar';
import type { Transport } from './transport';
import { WorkersTable } from './workersTable';

export class Dashboard {
  readonly charts: DashboardCharts;
  private readonly header: Header;
  private readonly toolbar: Toolbar;
  private readonly controls: Controls;
  private readonly banner: Banner;
  private readonly summary = new Summary();
  private readonly workers: WorkersTable;
  private readonly events = new EventsList();
  private readonly content: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly state: DashboardState, transport: Transport) {
    const colors = new WorkerColors();
    this.header = new Header(state);
    this.toolbar = new Toolbar(state);
    this.controls = new Controls((msg) => transport.send(msg));
    this.banner = new Banner(state);
    this.charts = new DashboardCharts(colors);
    this.workers = new WorkersTable(colors);
    this.content = h('main', { class: 'content', id: 'content' },
      this.summary.element,
      this.charts.element,
      h('div', { class: 'lower-grid' }, this.workers.element, this.events.element));
    root.removeAttribute('aria-busy');
    root.replaceChildren(
      this.header.element,
      h('div', { class: 'toolbar' }, this.toolbar.element, this.controls.element),
      this.banner.element,
      this.content);
    state.subscribe((change) => this.onChange(change));
    onThemeChange(() => this.charts.applyTheme());
    // Once a second: retry countdown and the "no new samples" check, which change with no message.
    setInterval(() => this.renderState(), 1000);
    this.renderAll();
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
        const server = this.state.selected!;
        if (!this.state.paused) this.charts.append(change.point, this.state.windowSeconds);
        this.summary.update(server.view, change.point);
        this.workers.update(server.view, server.events);
        this.events.show(server.events);
        this.header.render();
        this.renderState();
        return;
      }
      case 'server': {
        this.header.render();
        const server = this.state.selected;
        if (server && change.serverId === server.view.id) {
          this.summary.update(server.view, server.history[server.history.length - 1]);
          this.workers.update(server.view, server.events);
          this.events.show(server.events);
        }
        this.renderState();
        return;
      }
      case 'event':
        if (change.serverId === this.state.selectedId) this.events.show(this.state.selected!.events);
        return;
      case 'ack':
        this.controls.ack(change.id, change.ok, change.error);
        return;
      case 'view':
        this.toolbar.render();
        this.header.renderBadge();
        this.reloadCharts();
        this.renderState();
        return;
    }
  }

  private renderAll(): void {
    this.header.render();
    this.toolbar.render();
    // Charts first: they meet workers in the order they lived, which fixes each worker's colour.
    this.reloadCharts();
    const server = this.state.selected;
    this.workers.clear();
    if (server) {
      this.summary.update(server.view, server.history[server.history.length - 1]);
      this.workers.update(server.view, server.events);
      this.events.show(server.events);
    } else {
      this.events.show([]);
    }
    this.renderState();
  }

  private reloadCharts(): void {
    if (this.state.paused) return;
    this.charts.reload(this.state.selected?.history ?? [], this.state.windowSeconds);
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
