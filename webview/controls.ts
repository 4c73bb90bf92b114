// Signal buttons for the selected master. Each click sends a `signal` command with its own id and
// shows the hub's ack for that id; Stop asks for confirmation in place (webviews may not allow modals).
import type { AllowedSignal } from '../extension/protocol/agent';
import type { UiToHub } from '../extension/protocol/ui';
import { h, setText } from './dom';

interface Control {
  signal: AllowedSignal;
  label: string;
  icon: string;
  help: string;
  confirm?: string;
}

export const CONTROLS: Control[] = [
  { signal: 'HUP', label: 'Reload', icon: 'refresh', help: 'Reload the configuration and replace the workers gracefully (HUP)' },
  { signal: 'TTIN', label: 'Add worker', icon: 'add', help: 'Start one more worker (TTIN)' },
  { signal: 'TTOU', label: 'Remove worker', icon: 'remove', help: 'Stop the oldest worker (TTOU)' },
  { signal: 'USR1', label: 'Reopen logs', icon: 'output', help: 'Reopen the log files (USR1)' },
  { signal: 'QUIT', label: 'Stop', icon: 'debug-stop', help: 'Stop the server (QUIT)', confirm: 'Stop this Gunicorn server?' },
];

const ACK_TIMEOUT_MS = 10_000;

type Send = (msg: UiToHub) => boolean;

export class Controls {
  readonly element: HTMLElement;
  private readonly buttons = new Map<AllowedSignal, HTMLElement>();
  private readonly status: HTMLElement;
  private readonly confirmBar: HTMLElement;
  private readonly confirmText: HTMLElement;
  private pendingConfirm: Control | null = null;
  private readonly pending = new Map<string, { control: Control; timer: ReturnType<typeof setTimeout> }>();
  private serverId: string | null = null;
  private counter = 0;

  constructor(private readonly send: Send) {
    this.status = h('span', { class: 'control-status', role: 'status', 'aria-live': 'polite', id: 'control-status' });
    this.confirmText = h('span');
    this.confirmBar = h('div', { class: 'confirm-bar', role: 'alertdialog', 'aria-labelledby': 'confirm-text', hidden: true },
      this.confirmText,
      h('vscode-button', { id: 'confirm-yes', onclick: () => this.confirmed() }, 'Stop'),
      h('vscode-button', { secondary: true, id: 'confirm-no', onclick: () => this.cancelConfirm() }, 'Cancel'));
    this.confirmText.id = 'confirm-text';
    const group = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Signals to the Gunicorn master' });
    for (const control of CONTROLS) {
      const button = h('vscode-button', {
        secondary: true,
        icon: control.icon,
        title: control.help,
        'aria-label': control.help,
        'data-signal': control.signal,
        disabled: true,
        onclick: () => this.clicked(control),
      }, control.label);
      this.buttons.set(control.signal, button);
      group.append(button);
    }
    this.element = h('div', { class: 'controls-wrap' }, group, this.confirmBar, this.status);
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
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    setText(this.status, ok ? `${entry.control.label} (${entry.control.signal}): done` : `${entry.control.label} (${entry.control.signal}) failed: ${error ?? 'refused'}`);
    this.status.className = `control-status ${ok ? 'ok' : 'bad'}`;
  }

  private clicked(control: Control): void {
    if (control.confirm) {
      this.pendingConfirm = control;
      setText(this.confirmText, control.confirm);
      this.confirmBar.hidden = false;
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
    this.pendingConfirm = null;
    this.confirmBar.hidden = true;
  }

  private dispatch(control: Control): void {
    if (!this.serverId) return;
    const id = `ui-${Date.now().toString(36)}-${++this.counter}`;
    if (!this.send({ type: 'signal', id, serverId: this.serverId, signal: control.signal })) {
      setText(this.status, `${control.label}: not sent, the hub is not connected`);
      this.status.className = 'control-status bad';
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(id);
      setText(this.status, `${control.label} (${control.signal}): no answer from the agent`);
      this.status.className = 'control-status bad';
    }, ACK_TIMEOUT_MS);
    this.pending.set(id, { control, timer });
    setText(this.status, `${control.label} (${control.signal}): sent…`);
    this.status.className = 'control-status';
  }
}
