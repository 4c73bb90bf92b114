// Time window (1/5/15/60 min) and pause/resume for the charts.
import { h } from './dom';
import { TIME_WINDOWS, type DashboardState } from './state';

export class Toolbar {
  readonly element: HTMLElement;
  private readonly windowButtons: HTMLElement[];
  private readonly pause: HTMLElement;

  constructor(private readonly state: DashboardState) {
    this.windowButtons = TIME_WINDOWS.map((seconds) => h('vscode-button', {
      'data-window': seconds,
      'aria-label': `Show the last ${seconds / 60} minute${seconds === 60 ? '' : 's'}`,
      onclick: () => state.setWindow(seconds),
    }, `${seconds / 60} min`));
    this.pause = h('vscode-button', { secondary: true, id: 'pause', onclick: () => state.setPaused(!state.paused) });
    this.element = h('div', { class: 'toolbar-group' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time window' }, ...this.windowButtons),
      this.pause);
  }

  render(): void {
    for (const button of this.windowButtons) {
      const active = Number(button.dataset.window) === this.state.windowSeconds;
      button.toggleAttribute('secondary', !active);
      button.setAttribute('aria-pressed', String(active));
    }
    const paused = this.state.paused;
    this.pause.setAttribute('icon', paused ? 'debug-continue' : 'debug-pause');
    this.pause.setAttribute('aria-label', paused ? 'Resume live charts' : 'Pause live charts');
    this.pause.textContent = paused ? 'Resume' : 'Pause';
  }
}
