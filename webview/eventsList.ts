// The lifecycle events of the selected server, newest first: spawns, exits with their cause (and the
// stack of a timed-out worker), signals the master received, stuck requests with their stack, and the
// exceptions that failed requests with their traceback. In VS Code a stack frame is a button
// that opens the file at the line; in the browser, which cannot open files, it is the path and line.
import type { LifecycleEvent, StackFrame } from '../extension/protocol/agent';
import { h, icon, setText } from './dom';
import { formatClock, formatDuration, formatExit, isBadExit } from './format';
import { frameLink, isLibrary, type OpenFile } from './frames';

const MAX_SHOWN = 200;

export class EventsList {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private shown: LifecycleEvent[] = [];

  constructor(private readonly openFile: OpenFile) {
    this.list = h('ol', { class: 'events', id: 'events-list', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.count = h('span', { class: 'unit' });
    this.empty = h('p', { class: 'empty' }, 'No lifecycle events yet.');
    this.element = h('section', { class: 'card events-card', 'aria-labelledby': 'events-title' },
      h('header', { class: 'card-header' }, h('h2', { id: 'events-title' }, 'Events'), this.count),
      h('div', { class: 'events-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'events-title' }, this.empty, this.list));
  }

  /** Shows these events (oldest first, as the state keeps them); adds only what is new. */
  show(events: LifecycleEvent[]): void {
    if (events === this.shown) return;
    const isAppend = this.shown.length > 0 && events.length >= this.shown.length && events[this.shown.length - 1] === this.shown[this.shown.length - 1];
    if (!isAppend) this.list.replaceChildren();
    const fresh = isAppend ? events.slice(this.shown.length) : events.slice(-MAX_SHOWN);
    for (const event of fresh) this.list.prepend(this.render(event));
    while (this.list.childElementCount > MAX_SHOWN) this.list.lastElementChild!.remove();
    this.shown = events;
    this.empty.hidden = events.length > 0;
    setText(this.count, events.length ? `${events.length}` : '');
  }

  private render(event: LifecycleEvent): HTMLLIElement {
    const time = h('time', { datetime: new Date(event.at * 1000).toISOString(), class: 'event-time' }, formatClock(event.at * 1000));
    switch (event.type) {
      case 'worker_spawn':
        return h('li', { class: 'event event-spawn', 'data-pid': event.pid }, time, icon('add'), h('span', { class: 'event-text' }, `Worker ${event.pid} spawned`));
      case 'signal':
        return h('li', { class: 'event event-signal', 'data-signal': event.signal }, time, icon('zap'), h('span', { class: 'event-text' }, `Master received ${event.signal}`));
      case 'worker_exit': {
        const bad = isBadExit(event.reason);
        const li = h('li', { class: `event event-exit${bad ? ' event-bad' : ''}`, 'data-pid': event.pid, 'data-reason': event.reason },
          time, icon(bad ? 'error' : 'remove'), h('span', { class: 'event-text' }, `Worker ${event.pid} exited: ${formatExit(event)}`));
        if (event.stack?.length) li.append(this.stack(event.stack, event.reason === 'timeout' ? 'Stack when the master timed it out' : 'Stack at exit'));
        return li;
      }
      case 'request_stuck': {
        // A warning, not an exit: the request may still finish; its stack says where it has been so long.
        const li = h('li', { class: 'event event-stuck event-warn', 'data-pid': event.pid, 'data-route': event.route },
          time, icon('watch'), h('span', { class: 'event-text' },
            `Request stuck in worker ${event.pid}: ${event.method} ${event.route}, running ${formatDuration(event.elapsed)}`));
        if (event.stack.length) li.append(this.stack(event.stack, `Stack of the request after ${formatDuration(event.elapsed)}`));
        return li;
      }
      case 'request_exception': {
        const times = event.count === 1 ? '' : ` (${event.count} requests)`;
        const li = h('li', { class: 'event event-exception event-bad', 'data-pid': event.pid, 'data-route': event.route },
          time, icon('error'), h('span', { class: 'event-text' }, `${event.exception} in ${event.method} ${event.route}${times}`));
        if (event.stack.length) li.append(this.stack(event.stack, 'Traceback'));
        return li;
      }
    }
  }

  /**
   * Open by default: a timeout's or a stuck request's stack is the one thing the user came for. Innermost frame last, as
   * Python prints it; the outer frames in Gunicorn and Python themselves fold away, so the app's own
   * frames show first.
   */
  private stack(frames: StackFrame[], where: string): HTMLElement {
    const firstOwn = frames.findIndex((f) => !isLibrary(f.file));
    // Keep the library frame that called into the app: it says how the request got there.
    const folded = firstOwn > 2 ? frames.slice(0, firstOwn - 1) : [];
    const item = (f: StackFrame) => h('li', { class: `frame${isLibrary(f.file) ? ' frame-lib' : ''}` },
      frameLink(this.openFile, f.file, f.line), h('span', { class: 'frame-fn' }, ` in ${f.function}`));
    const list = h('ol', { class: 'frames', start: folded.length + 1 }, ...frames.slice(folded.length).map(item));
    return h('details', { class: 'stack', open: true },
      h('summary', {}, `${where} (${frames.length} frame${frames.length === 1 ? '' : 's'})`),
      folded.length > 0 && h('details', { class: 'frames-folded' },
        h('summary', {}, `${folded.length} outer frames in Gunicorn and Python`),
        h('ol', { class: 'frames' }, ...folded.map(item))),
      list);
  }
}
