// The top bar: which server this is (app, master pid, host, bind, worker class, uptime), the hub
// connection as a badge, and a picker when several masters report to the same hub.
import type { ServerView } from '../extension/protocol/ui';
import { h, icon, setText } from './dom';
import { formatDuration } from './format';
import type { DashboardState } from './state';

export class Header {
  readonly element: HTMLElement;
  private readonly identity: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly picker: HTMLElement & { value: string };
  private readonly pickerWrap: HTMLElement;
  private pickerKey = '';

  constructor(private readonly state: DashboardState) {
    this.identity = h('dl', { class: 'identity', 'aria-label': 'Selected server' });
    this.badge = h('span', { class: 'conn-badge', id: 'connection-badge', role: 'status' });
    this.picker = h('vscode-single-select', { id: 'server-picker', 'aria-label': 'Server' }) as HTMLElement & { value: string };
    this.picker.addEventListener('change', () => state.select(this.picker.value));
    this.pickerWrap = h('label', { class: 'picker', hidden: true }, h('span', { class: 'visually-hidden' }, 'Server'), this.picker);
    this.element = h('header', { class: 'topbar' },
      h('div', { class: 'brand' }, icon('pulse'), h('h1', {}, 'Gunicorn Live')),
      this.pickerWrap,
      this.identity,
      this.badge);
  }

  render(): void {
    this.renderBadge();
    this.renderPicker();
    this.renderIdentity(this.state.selected?.view ?? null);
  }

  renderBadge(): void {
    const c = this.state.connection;
    const server = this.state.selected?.view;
    let kind: string = c.kind;
    let text: string;
    switch (c.kind) {
      case 'connecting': text = 'Connecting…'; break;
      case 'disconnected': text = 'Disconnected'; break;
      case 'error': text = 'Error'; break;
      case 'connected':
        if (server && !server.connected) {
          kind = 'agent-lost';
          text = 'Agent disconnected';
        } else {
          text = this.state.paused ? 'Live (paused)' : 'Live';
        }
    }
    this.badge.className = `conn-badge conn-${kind}`;
    setText(this.badge, text);
  }

  private renderPicker(): void {
    const servers = [...this.state.servers.values()].map((s) => s.view);
    this.pickerWrap.hidden = servers.length < 2;
    // A hidden picker is left alone: re-slotting its options costs a layout of the whole page.
    if (servers.length < 2) return;
    const key = servers.map((s) => `${s.id}:${s.connected}`).join('|') + `>${this.state.selectedId}`;
    if (key === this.pickerKey) return;
    this.pickerKey = key;
    this.picker.replaceChildren(...servers.map((s) =>
      h('vscode-option', { value: s.id, selected: s.id === this.state.selectedId },
        `${s.app || s.serviceName} — master ${s.masterPid}${s.connected ? '' : ' (gone)'}`)));
    if (this.state.selectedId) this.picker.value = this.state.selectedId;
  }

  private renderIdentity(server: ServerView | null): void {
    if (!server) {
      this.identity.replaceChildren();
      return;
    }
    const uptime = (server.lastSampleAt ?? Date.now() / 1000) - server.startedAt;
    const items: Array<[string, string]> = [
      ['App', server.app || server.serviceName],
      ['Master', `pid ${server.masterPid}`],
      ['Host', server.host],
      ['Bind', server.bind.join(', ') || '—'],
      ['Worker class', server.workerClass],
      ['Up', formatDuration(uptime)],
    ];
    const key = items.map(([k]) => k).join();
    if (this.identity.dataset.key !== key) {
      this.identity.dataset.key = key;
      this.identity.replaceChildren(...items.map(([k]) => h('div', { class: 'ident-item' }, h('dt', {}, k), h('dd', { 'data-field': k }))));
    }
    for (const [k, v] of items) setText(this.identity.querySelector(`dd[data-field="${k}"]`)!, v);
  }
}
