// The Profile view's controls: route (all or one), worker (all or one), mode (wall time or on CPU), the
// search box, reset zoom and the two exports. Plain <select>s and buttons: all reachable by keyboard.
import type { ProfileFileFormat, ProfileMode, ProfileResult } from '../../extension/protocol/ui';
import { h, setText } from '../dom';
import { formatCount } from '../format';

export interface ProfileFilterValues {
  /** "METHOD ROUTE" (or "(idle)", "(no request)"); null: all routes. */
  route: string | null;
  pid: number | null;
  mode: ProfileMode;
}

export interface ProfileFilterHandlers {
  change(): void;
  search(query: string): void;
  resetZoom(): void;
  export(format: ProfileFileFormat): void;
}

const ALL = '';

/** "METHOD ROUTE" as the hub names a route (samples outside requests have no method). */
export const routeName = (r: { method: string; route: string }) => (r.method ? `${r.method} ${r.route}` : r.route);

export class ProfileFilters {
  readonly element: HTMLElement;
  values: ProfileFilterValues = { route: null, pid: null, mode: 'wall' };
  readonly search: HTMLInputElement;
  readonly resetZoom: HTMLButtonElement;
  private readonly route: HTMLSelectElement;
  private readonly pid: HTMLSelectElement;
  private readonly modes: Record<ProfileMode, HTMLElement>;
  private routeKeys = '';
  private pidKeys = '';

  constructor(handlers: ProfileFilterHandlers) {
    this.route = h('select', { id: 'profile-route', onchange: () => {
      this.values.route = this.route.value === ALL ? null : this.route.value;
      handlers.change();
    } });
    this.pid = h('select', { id: 'profile-pid', onchange: () => {
      this.values.pid = this.pid.value === ALL ? null : Number(this.pid.value);
      handlers.change();
    } });
    const mode = (m: ProfileMode, label: string, help: string) => h('vscode-button', {
      id: `profile-mode-${m}`, 'data-mode': m, title: help, onclick: () => {
        if (this.values.mode === m) return;
        this.values.mode = m;
        this.renderMode();
        handlers.change();
      },
    }, label);
    this.modes = {
      wall: mode('wall', 'Wall time', 'Every sample: where requests spent their time, waiting included'),
      cpu: mode('cpu', 'On CPU', 'Only samples whose thread was running on a CPU'),
    };
    this.search = h('input', {
      type: 'search', id: 'profile-search', class: 'profile-search', placeholder: 'Find a function or file',
      'aria-label': 'Highlight frames whose function or file contains', oninput: () => handlers.search(this.search.value),
    });
    this.resetZoom = h('button', { type: 'button', class: 'text-button', id: 'profile-reset-zoom', disabled: true, onclick: () => handlers.resetZoom() }, 'Reset zoom');
    const exportButton = (format: ProfileFileFormat, label: string) => h('vscode-button', {
      secondary: true, icon: 'desktop-download', id: `profile-export-${format}`, onclick: () => handlers.export(format),
    }, label);
    this.element = h('div', { class: 'profile-filters' },
      h('label', { class: 'field' }, h('span', {}, 'Route'), this.route),
      h('label', { class: 'field' }, h('span', {}, 'Worker'), this.pid),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Profile mode' }, this.modes.wall, this.modes.cpu),
      this.search,
      this.resetZoom,
      h('div', { class: 'profile-exports' }, exportButton('speedscope', 'speedscope JSON'), exportButton('collapsed', 'Collapsed stacks')));
    this.fill(null);
    this.renderMode();
  }

  /** Back to all routes and workers (another server). */
  reset(): void {
    this.values = { ...this.values, route: null, pid: null };
    this.fill(null);
  }

  setRoute(route: string): void {
    this.values.route = route;
    this.fill(null);
  }

  /** The choices offered: what the last answer had samples for, and whatever is chosen now. */
  fill(profile: ProfileResult | null): void {
    const routes = new Map<string, number>();
    for (const r of profile?.routes ?? []) routes.set(routeName(r), this.values.mode === 'cpu' ? r.cpu : r.samples);
    if (this.values.route !== null && !routes.has(this.values.route)) routes.set(this.values.route, 0);
    const routeKeys = [...routes.keys()].join('\n');
    if (routeKeys !== this.routeKeys) {
      this.routeKeys = routeKeys;
      this.route.replaceChildren(h('option', { value: ALL }, 'All routes'), ...[...routes.keys()].map((name) => h('option', { value: name }, name)));
    }
    // The counts change every update: only the texts, so an open list stays open.
    [...this.route.options].slice(1).forEach((o) => setText(o, `${o.value} — ${formatCount(routes.get(o.value) ?? 0)} samples`));
    this.route.value = this.values.route ?? ALL;

    const pids = [...new Set([...(profile?.pids ?? []), ...(this.values.pid === null ? [] : [this.values.pid])])].sort((a, b) => a - b);
    const pidKeys = pids.join(',');
    if (pidKeys !== this.pidKeys) {
      this.pidKeys = pidKeys;
      this.pid.replaceChildren(h('option', { value: ALL }, 'All workers'), ...pids.map((pid) => h('option', { value: pid }, `pid ${pid}`)));
    }
    this.pid.value = this.values.pid === null ? ALL : String(this.values.pid);
  }

  private renderMode(): void {
    for (const [m, button] of Object.entries(this.modes)) {
      const active = m === this.values.mode;
      button.toggleAttribute('secondary', !active);
      button.setAttribute('aria-pressed', String(active));
    }
  }
}
