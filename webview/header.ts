// The run header: name, state, progress against the trial budget, elapsed time and ETA, Stop and Resume.
import { formatDuration } from './format';
import type { PanelModel } from './model';
import { button, setDisabled } from './toolkit';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, testId?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (testId) e.dataset.testid = testId;
  return e;
}

export class Header {
  readonly element = el('header', 'run-header');
  private readonly name = el('h1', 'run-name', 'run-name');
  private readonly status = el('span', 'status', 'run-status');
  private readonly message = el('span', 'run-message', 'run-message');
  /** The progressbar: the bar and its "5 / 8 trials" text, so its text content says the same as its ARIA values. */
  private readonly progress = el('div', 'progress', 'progress');
  private readonly bar = el('div', 'progress-bar');
  private readonly fill = el('div', 'progress-fill');
  private readonly progressText = el('span', 'progress-text', 'progress-text');
  private readonly counts = el('span', 'counts', 'counts');
  private readonly elapsed = el('span', 'elapsed', 'elapsed');
  private readonly eta = el('span', 'eta', 'eta');
  private readonly stop: HTMLElement;
  private readonly resume: HTMLElement;

  constructor(actions: { stop: () => void; resume: () => void }) {
    this.stop = button({ label: 'Stop', ariaLabel: 'Stop the run', testId: 'stop-button', onClick: actions.stop });
    this.resume = button({ label: 'Resume', ariaLabel: 'Resume the run', testId: 'resume-button', secondary: true, onClick: actions.resume });
    this.progress.setAttribute('role', 'progressbar');
    this.progress.setAttribute('aria-label', 'Trials done');
    this.progress.setAttribute('aria-valuemin', '0');
    this.bar.appendChild(this.fill);
    this.progress.append(this.bar, this.progressText);
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-label', 'Run state');

    const title = el('div', 'title-line');
    title.append(this.name, this.status, this.message);
    const progress = el('div', 'progress-line');
    progress.append(this.progress, this.counts);
    const timing = el('div', 'timing-line');
    timing.append(this.elapsed, this.eta);
    const info = el('div', 'run-info');
    info.append(title, progress, timing);
    const actionsBox = el('div', 'run-actions');
    actionsBox.append(this.stop, this.resume);
    this.element.append(info, actionsBox);
  }

  update(m: PanelModel, now: number): void {
    this.name.textContent = m.name || m.runDir.split(/[\\/]/).pop() || 'NAS run';
    this.name.title = m.runDir;
    this.status.textContent = m.status;
    this.status.dataset.status = m.status;
    this.status.className = `status status-${m.status}`;
    const finished = m.state.finished;
    this.message.textContent = m.message ?? (finished ? `ended: ${finishedReason(finished.reason)}` : '');

    const p = m.progress();
    const fraction = p.budget > 0 ? Math.min(1, p.done / p.budget) : 0;
    this.fill.style.width = `${(fraction * 100).toFixed(1)}%`;
    this.progress.setAttribute('aria-valuemax', String(p.budget));
    this.progress.setAttribute('aria-valuenow', String(p.done));
    this.progress.setAttribute('aria-valuetext', `${p.done} of ${p.budget || 'unknown'} trials`);
    this.progress.dataset.done = String(p.done);
    this.progress.dataset.budget = String(p.budget);
    this.progressText.textContent = `${p.done} / ${p.budget || '?'} trials`;
    const parts = [`${p.completed} completed`];
    if (p.pruned) parts.push(`${p.pruned} pruned`);
    if (p.failed) parts.push(`${p.failed} failed`);
    if (p.running) parts.push(`${p.running} ${m.isLive ? 'running' : 'interrupted'}`);
    this.counts.textContent = parts.join(' · ');

    const t = m.timing(now);
    this.elapsed.textContent = `elapsed ${formatDuration(t.elapsedMs)}`;
    this.eta.textContent = t.etaMs === undefined ? '' : t.etaMs < 1000 ? 'ETA <1 s' : `ETA ${formatDuration(t.etaMs)}`;
    this.eta.hidden = t.etaMs === undefined;

    const live = m.status === 'running' || m.status === 'starting';
    setDisabled(this.stop, !live, m.status === 'stopping' ? 'Stopping…' : 'The run is not running');
    setDisabled(this.resume, live || m.status === 'stopping' || !m.canResume, 'Only a stopped or crashed run can resume');
  }
}

function finishedReason(r: string): string {
  switch (r) {
    case 'budget':
      return 'trial budget reached';
    case 'time':
      return 'time budget reached';
    case 'exhausted':
      return 'search space exhausted';
    case 'stopped':
      return 'stopped';
    default:
      return r;
  }
}
