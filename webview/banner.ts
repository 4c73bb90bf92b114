// Says plainly what state the dashboard is in, so a still chart is never mistaken for a quiet server:
// connecting, loading, disconnected (retrying, with a countdown), error, waiting for an agent, agent
// gone, samples late, paused.
import { h, icon, setText } from './dom';
import { formatClock, formatDuration } from './format';
import type { DashboardState } from './state';

/** Samples come every second; this much silence from a connected agent is worth saying. */
const STALE_AFTER_MS = 5_000;

export type ViewMode = 'loading' | 'empty' | 'live';

export class Banner {
  readonly element: HTMLElement;
  private readonly iconEl: HTMLElement;
  private readonly title: HTMLElement;
  private readonly detail: HTMLElement;

  constructor(private readonly state: DashboardState) {
    this.iconEl = h('span', { class: 'banner-icon' });
    this.title = h('strong', { class: 'banner-title' });
    this.detail = h('span', { class: 'banner-detail' });
    this.element = h('div', { class: 'banner', id: 'state-banner', role: 'status', 'aria-live': 'polite', hidden: true },
      this.iconEl, h('div', { class: 'banner-text' }, this.title, this.detail));
  }

  /** Renders the banner and tells the page what to show below it. */
  render(now = Date.now()): { mode: ViewMode; frozen: boolean } {
    const c = this.state.connection;
    const selected = this.state.selected;
    const hasData = selected !== null;
    switch (c.kind) {
      case 'error':
        this.set('error', 'error', 'Cannot connect', c.message);
        return { mode: hasData ? 'live' : 'loading', frozen: true };
      case 'connecting':
        this.set('info', 'loading~spin', 'Connecting to the hub…', c.attempt > 1 ? `attempt ${c.attempt}` : '');
        return { mode: hasData ? 'live' : 'loading', frozen: hasData };
      case 'disconnected': {
        const wait = Math.max(0, Math.ceil((c.retryAt - now) / 1000));
        const last = selected?.history[selected.history.length - 1];
        this.set('warning', 'debug-disconnect', 'Disconnected from the hub',
          `${c.reason.replace(/\.$/, '')}. Retrying in ${wait} s (attempt ${c.attempt}).${last ? ` Charts show data up to ${formatClock(last.at * 1000)}.` : ''}`);
        return { mode: hasData ? 'live' : 'loading', frozen: true };
      }
      case 'connected':
        break;
    }
    if (!selected && !this.state.snapshotReceived) {
      this.set('info', 'loading~spin', 'Loading…', 'Connected; the hub is sending its servers and their history.');
      return { mode: 'loading', frozen: false };
    }
    if (!selected) {
      this.set('info', 'loading~spin', 'Waiting for a Gunicorn agent…',
        'The hub is running. Start Gunicorn with `gunicorn-live run -- <gunicorn arguments>`, or give an agent GUNICORN_LIVE_URL and GUNICORN_LIVE_TOKEN.');
      return { mode: 'empty', frozen: false };
    }
    const view = selected.view;
    if (!view.connected) {
      const at = view.lastSampleAt ? ` Last sample at ${formatClock(view.lastSampleAt * 1000)}.` : '';
      this.set('warning', 'debug-disconnect', `The agent of master ${view.masterPid} is disconnected`, `Gunicorn stopped or lost the hub.${at}`);
      return { mode: 'live', frozen: true };
    }
    const silent = now - selected.receivedAt;
    if (silent > STALE_AFTER_MS) {
      this.set('warning', 'watch', 'No new samples', `Nothing from master ${view.masterPid} for ${formatDuration(silent / 1000)}.`);
      return { mode: 'live', frozen: true };
    }
    if (this.state.paused) {
      this.set('info', 'debug-pause', 'Paused', 'The charts are not updating; the table and events still are. Press Resume to catch up.');
      return { mode: 'live', frozen: false };
    }
    this.element.hidden = true;
    return { mode: 'live', frozen: false };
  }

  private set(level: 'info' | 'warning' | 'error', iconName: string, title: string, detail: string): void {
    this.element.hidden = false;
    this.element.className = `banner banner-${level}`;
    this.element.dataset.state = title;
    const [name, spin] = iconName.split('~');
    this.iconEl.replaceChildren(icon(name!));
    this.iconEl.classList.toggle('spin', spin === 'spin');
    setText(this.title, title);
    setText(this.detail, detail);
  }
}
