// The "Log" tab: the run's log lines, newest last. Warnings and errors explain fallbacks and retries.
import type { PanelModel } from './model';

const SHOWN = 200;

export class LogView {
  readonly element = document.createElement('div');
  private version = -1;

  constructor() {
    this.element.className = 'log-view';
    this.element.dataset.testid = 'log';
    this.element.setAttribute('role', 'log');
    this.element.tabIndex = 0;
  }

  update(m: PanelModel): void {
    if (m.version === this.version) return;
    this.version = m.version;
    const lines = m.logs.slice(-SHOWN);
    const stick = this.element.scrollTop + this.element.clientHeight >= this.element.scrollHeight - 4;
    this.element.replaceChildren(
      ...lines.map((l) => {
        const div = document.createElement('div');
        div.className = `log-line log-${l.level}`;
        div.textContent = `${l.time.slice(11, 19)}  ${l.level.padEnd(5)}  ${l.message}`;
        return div;
      }),
    );
    if (!lines.length) this.element.textContent = 'No log lines.';
    if (stick) this.element.scrollTop = this.element.scrollHeight;
  }
}
