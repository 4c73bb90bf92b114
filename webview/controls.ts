// Signal buttons for the selected master. A click sends a `signal` command with its own id; the status
// line then says what happened in three steps: sent, acknowledged (the hub's ack for that id), and the
// effect seen in the server's own data (commandEffects.ts). Stop asks for confirmation in place
// (webviews may not allow modal dialogs).
import type { AllowedSignal, LifecycleEvent } from '../extension/protocol/agent';
import type { ServerView, UiToHub } from '../extension/protocol/ui';
import { progress, startEffect, type Effect } from './commandEffects';
import { h, icon, setText } from './dom';

interface Control {
  signal: AllowedSignal;
  label: string;
  icon: string;
  help: string;
  confirm?: string;
}

export const CONTROLS: Control[] = [
  { signal: 'HUP', label: 'Reload', icon: 'refresh', help: 'Reload: re-read the configuration and replace the workers gracefully (HUP)' },
  { signal: 'TTIN', label: 'Add worker', icon: 'add', help: 'Add worker: start one more worker (TTIN)' },
  { signal: 'TTOU', label: 'Remove worker', icon: 'remove', help: 'Remove worker: stop the oldest worker (TTOU)' },
  { signal: 'USR1', label: 'Reopen logs', icon: 'output', help: 'Reopen logs: the master and workers reopen their log files (USR1)' },
  { signal: 'QUIT', label: 'Stop', icon: 'debug-stop', help: 'Stop the server (QUIT), after a confirmation', confirm: 'Stop this Gunicorn server? Requests in progress are cut short.' },
];

const ACK_TIMEOUT_MS = 10_000;
/** A reload waits for the old workers' graceful exit, so give the effect time. */
const EFFECT_TIMEOUT_MS = 45_000;

type Send = (msg: UiToHub) => boolean;
type Phase = 'sent' | 'acked' | 'done' | 'failed' | 'timeout';

interface Command {
  id: string;
  control: Control;
  effect: Effect;
  timer: ReturnType<typeof setTimeout>;
}

export interface SelectedServer {
  view: ServerView;
  events: LifecycleEvent[];
}

export class Controls {
  readonly element: HTMLElement;
  /** One line saying what the last command did; the page places it (under the toolbar). */
  readonly status: HTMLElement;
  /** Stop's in-place confirmation, also placed by the page: on a line of its own, no button moves. */
  readonly confirmBar: HTMLElement;
  private readonly buttons = new Map<AllowedSignal, HTMLElement>();
  private readonly confirmText: HTMLElement;
  private pendingConfirm: Control | null = null;
  /** The latest command: the status line follows it until its effect shows (older ones are superseded). */
  private active: Command | null = null;
  private serverId: string | null = null;
  private counter = 0;

  constructor(private readonly send: Send, private readonly selected: () => SelectedServer | null) {
    this.status = h('span', { class: 'control-status', role: 'status', 'aria-live': 'polite', id: 'control-status' });
    this.confirmText = h('span', { id: 'confirm-text' });
    const confirmIcon = icon('warning');
    this.confirmBar = h('div', { class: 'confirm-bar', role: 'alertdialog', 'aria-labelledby': 'confirm-text', hidden: true },
      h('span', { class: 'confirm-label' }, confirmIcon, this.confirmText),
      h('vscode-button', { id: 'confirm-yes', onclick: () => this.confirmed() }, 'Stop server'),
      h('vscode-button', { secondary: true, id: 'confirm-no', onclick: () => this.cancelConfirm() }, 'Cancel'));
    this.confirmBar.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.cancelConfirm();
    });
    const group = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Signals to the Gunicorn master' });
    for (const control of CONTROLS) {
      const button = h('vscode-button', {
        secondary: true,
        icon: control.icon,
        title: control.help,
        'aria-label': control.help,
        'data-signal': control.signal,
        class: control.confirm ? 'danger' : null,
        disabled: true,
        onclick: () => this.clicked(control),
      }, control.label);
      this.buttons.set(control.signal, button);
      group.append(button);
    }
    this.element = h('div', { class: 'controls-wrap' }, group);
  }

  /** Enables the buttons only when a command can reach a connected master. */
  setTarget(serverId: string | null, reachable: boolean): void {
    if (serverId !== this.serverId) this.cancelConfirm();
    this.serverId = serverId;
    for (const button of this.buttons.values()) {
      if (reachable && serverId) button.removeAttribute('disabled');
      else button.setAttribute('disabled', '');
    }
  }

  ack(id: string, ok: boolean, error?: string): void {
    const cmd = this.active;
    if (!cmd || cmd.id !== id) return;
    clearTimeout(cmd.timer);
    if (!ok) {
      this.active = null;
      this.show('failed', cmd.control, `failed: ${error ?? 'refused'}`);
      return;
    }
    cmd.timer = setTimeout(() => {
      if (this.active !== cmd) return;
      this.active = null;
      const server = this.selected();
      const seen = server && server.view.id === cmd.effect.serverId ? progress(cmd.effect, server.view, server.events).text : '';
      this.show('timeout', cmd.control, `acknowledged, but no effect seen in ${EFFECT_TIMEOUT_MS / 1000} s${seen ? ` (${seen})` : ''}`);
    }, EFFECT_TIMEOUT_MS);
    this.show('acked', cmd.control, 'acknowledged');
    this.observe();
  }

  /** Called whenever the selected server changes: follows the active command's effect. */
  observe(): void {
    const cmd = this.active;
    if (!cmd || this.status.dataset.phase !== 'acked') return;
    const server = this.selected();
    if (!server || server.view.id !== cmd.effect.serverId) return;
    const p = progress(cmd.effect, server.view, server.events);
    if (p.done) {
      clearTimeout(cmd.timer);
      this.active = null;
      this.show('done', cmd.control, `done — ${p.text}`);
    } else {
      this.show('acked', cmd.control, `acknowledged — ${p.text}…`);
    }
  }

  private clicked(control: Control): void {
    if (control.confirm) {
      this.pendingConfirm = control;
      setText(this.confirmText, control.confirm);
      this.confirmBar.hidden = false;
      // The safe choice has the focus: Enter by habit must not stop a server.
      this.confirmBar.querySelector<HTMLElement>('#confirm-no')?.focus();
      return;
    }
    this.dispatch(control);
  }

  private confirmed(): void {
    const control = this.pendingConfirm;
    this.cancelConfirm();
    if (control) this.dispatch(control);
  }

  private cancelConfirm(): void {
    const wasOpen = !this.confirmBar.hidden;
    this.pendingConfirm = null;
    this.confirmBar.hidden = true;
    if (wasOpen) this.buttons.get('QUIT')?.focus();
  }

  private dispatch(control: Control): void {
    const server = this.selected();
    if (!this.serverId || !server || server.view.id !== this.serverId) return;
    if (this.active) clearTimeout(this.active.timer);
    this.active = null;
    const id = `ui-${Date.now().toString(36)}-${++this.counter}`;
    if (!this.send({ type: 'signal', id, serverId: this.serverId, signal: control.signal })) {
      this.show('failed', control, 'not sent, the hub is not connected');
      return;
    }
    const timer = setTimeout(() => {
      if (this.active?.id !== id) return;
      this.active = null;
      this.show('failed', control, 'no answer from the agent');
    }, ACK_TIMEOUT_MS);
    this.active = { id, control, effect: startEffect(control.signal, server.view, server.events), timer };
    this.show('sent', control, 'sent…');
  }

  private show(phase: Phase, control: Control, text: string): void {
    this.status.dataset.phase = phase;
    this.status.dataset.signal = control.signal;
    this.status.className = `control-status phase-${phase}`;
    setText(this.status, `${control.label} (${control.signal}): ${text}`);
  }
}
