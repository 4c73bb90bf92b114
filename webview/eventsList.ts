// The lifecycle events of the selected server, newest first: spawns, exits with their cause (and the
// stack of a timed-out worker), and signals the master received.
import type { LifecycleEvent } from '../extension/protocol/agent';
import { h, icon, setText } from './dom';
import { formatClock } from './format';

const MAX_SHOWN = 200;

export class EventsList {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private shown: LifecycleEvent[] = [];

  constructor() {
    this.list = h('ol', { class: 'events', id: 'events-list', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.count = h('span', { class: 'unit' });
    this.empty = h('p', { class: 'empty' }, 'No lifecycle events yet.');
    this.element = h('section', { class: 'card events-card', 'aria-labelledby': 'events-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'events-title' }, 'Events'), this.count),
      h('div', { class: 'events-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'events-title' }, this.empty, this.list));
  }

  /** Shows these events (oldest first, as the state keeps them); adds only what is new. */
  show(events: LifecycleEvent[]): void {
    const isAppend = this.shown.length > 0 && events.length >= this.shown.length && events[this.shown.length - 1] === this.shown[this.shown.length - 1];
    if (!isAppend) this.list.replaceChildren();
    const fresh = isAppend ? events.slice(this.shown.length) : events.slice(-MAX_SHOWN);
    for (const event of fresh) this.list.prepend(renderEvent(event));
    while (this.list.childElementCount > MAX_SHOWN) this.list.lastElementChild!.remove();
    this.shown = events;
    this.empty.hidden = events.length > 0;
    setText(this.count, events.length ? `${events.length}` : '');
  }
}

function renderEvent(event: LifecycleEvent): HTMLLIElement {
  const time = h('time', { datetime: new Date(event.at * 1000).toISOString(), class: 'event-time' }, formatClock(event.at * 1000));
  switch (event.type) {
    case 'worker_spawn':
      return h('li', { class: 'event event-spawn' }, time, icon('add'), h('span', {}, `Worker ${event.pid} spawned`));
    case 'signal':
      return h('li', { class: 'event event-signal' }, time, icon('zap'), h('span', {}, `Master received ${event.signal}`));
    case 'worker_exit': {
      const cause = [
        event.reason.replace('_', ' '),
        event.signal ? `(${event.signal})` : null,
        event.exitCode !== undefined ? `exit code ${event.exitCode}` : null,
      ].filter(Boolean).join(' ').replace(/ (exit code)/, ', $1');
      const bad = event.reason === 'timeout' || event.reason === 'crash' || event.reason === 'signal';
      const li = h('li', { class: `event event-exit${bad ? ' event-bad' : ''}` },
        time, icon(bad ? 'error' : 'remove'), h('span', {}, `Worker ${event.pid} exited: ${cause}`));
      if (event.stack?.length) {
        // Innermost frame last, as Python prints a traceback.
        li.append(h('details', { class: 'stack' },
          h('summary', {}, `Stack at timeout (${event.stack.length} frames)`),
          h('ol', {}, ...event.stack.map((f) => h('li', {},
            h('code', {}, `${f.file}:${f.line}`), ' in ', h('code', {}, f.function))))));
      }
      return li;
    }
  }
}
