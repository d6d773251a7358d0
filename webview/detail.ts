// The chosen trial: its architecture as a diagram, every parameter's chosen value, and the two actions that
// lead out of the panel (reveal in the spec, export the model).
import type { TrialState } from '../src/core/runstate';
import { archSvg } from './diagram';
import { formatCount, formatDuration, formatParam, formatValue, paramLabeler } from './format';
import { stateLabel, trialFacts, type PanelModel, type Row } from './model';
import { button, setDisabled } from './toolkit';

export class TrialDetail {
  readonly element = document.createElement('section');
  private readonly title = document.createElement('h2');
  private readonly summary = document.createElement('p');
  /** Objective values, rung, latency and weight inheritance: what the leaderboard row does not say. */
  private readonly facts = document.createElement('p');
  private readonly error = document.createElement('pre');
  private readonly diagram = document.createElement('div');
  private readonly params = document.createElement('table');
  private readonly reveal: HTMLElement;
  private readonly export: HTMLElement;
  private shown?: { trial: number; config: TrialState['config'] };
  private current?: number;

  constructor(actions: { reveal: (trial: number) => void; export: (trial: number) => void }) {
    this.element.className = 'detail';
    this.element.dataset.testid = 'trial-detail';
    this.element.setAttribute('aria-label', 'Trial detail');
    this.title.dataset.testid = 'trial-detail-title';
    this.summary.className = 'detail-summary';
    this.facts.className = 'detail-summary detail-facts';
    this.facts.dataset.testid = 'trial-facts';
    this.error.className = 'detail-error';
    this.error.dataset.testid = 'trial-error';
    this.diagram.className = 'diagram';
    this.diagram.dataset.testid = 'arch-diagram';
    this.params.className = 'params';
    this.params.dataset.testid = 'param-table';
    const act = (f: (t: number) => void) => () => this.current !== undefined && f(this.current);
    this.reveal = button({
      label: 'Reveal in spec',
      ariaLabel: "Reveal this trial's choices in the spec",
      testId: 'reveal-button',
      secondary: true,
      onClick: act(actions.reveal),
    });
    this.export = button({ label: 'Export', ariaLabel: "Export this trial's model", testId: 'export-button', onClick: act(actions.export) });
    const bar = document.createElement('div');
    bar.className = 'detail-actions';
    bar.append(this.reveal, this.export);
    const head = document.createElement('div');
    head.className = 'detail-head';
    head.append(this.title, bar);
    const archTitle = document.createElement('h3');
    archTitle.textContent = 'Architecture';
    const paramTitle = document.createElement('h3');
    paramTitle.textContent = 'Chosen values';
    this.element.append(head, this.summary, this.facts, this.error, archTitle, this.diagram, paramTitle, this.params);
    this.update(undefined, undefined, undefined);
  }

  update(m: PanelModel | undefined, t: TrialState | undefined, row: Row | undefined): void {
    this.current = t?.trial;
    this.element.classList.toggle('empty', !t);
    if (!m || !t || !row) {
      this.title.textContent = 'No trial selected';
      this.summary.textContent = 'Pick a row of the leaderboard or a point of the chart.';
      this.facts.hidden = true;
      this.error.hidden = true;
      this.diagram.replaceChildren();
      this.params.replaceChildren();
      this.shown = undefined;
      setDisabled(this.reveal, true);
      setDisabled(this.export, true);
      return;
    }
    this.title.textContent = `Trial #${t.trial}${row.rank === 1 ? ' — best' : ''}`;
    const bits: string[] = [stateLabel(row)];
    if (row.value !== undefined) bits.push(`${m.metric} ${formatValue(row.value)}`);
    if (row.rank) bits.push(`rank ${row.rank}`);
    if (row.params !== undefined) bits.push(`${formatCount(row.params)} weights`);
    bits.push(`${row.epochs} epoch${row.epochs === 1 ? '' : 's'}`);
    if (row.durationMs !== undefined) bits.push(formatDuration(row.durationMs));
    if (row.attempts > 1) bits.push(`${row.attempts} attempts`);
    this.summary.textContent = bits.join(' · ');
    const facts = trialFacts(m, t);
    this.facts.hidden = !facts.length;
    this.facts.textContent = facts.join(' · ');
    const showError = row.state === 'failed' || row.state === 'pruned' || (row.state === 'running' && !!row.note);
    this.error.hidden = !showError;
    this.error.textContent = showError ? row.note : '';
    this.error.classList.toggle('pruned', row.state === 'pruned');

    setDisabled(this.reveal, false);
    // Trials that rank (completed, cut by the budget, paused at a rung) export like completed ones.
    const ranks = row.rank !== undefined || row.state === 'completed';
    const exportable = ranks && row.hasWeights;
    setDisabled(
      this.export,
      !exportable,
      !ranks ? 'Only completed trials (or cut or paused ones) can be exported' : 'The run kept no weights for this trial (only the top ones are kept)',
    );

    // The config only changes when the trial is retried; redrawing the SVG on every event would flicker.
    if (this.shown?.trial === t.trial && this.shown.config === t.config) return;
    this.shown = { trial: t.trial, config: t.config };
    this.diagram.innerHTML = archSvg(t.config.arch, { inputShape: m.state.started?.inputShape, outputs: m.state.started?.outputs });
    this.params.replaceChildren(...paramRows(t, paramLabeler(m.state)));
  }
}

function paramRows(t: TrialState, labelOf: (key: string) => string): HTMLTableRowElement[] {
  const rows: HTMLTableRowElement[] = [];
  const add = (k: string, v: string, cls = '') => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(th, td);
    rows.push(tr);
  };
  // In spec order (the keys are paths; a plain sort would put layers[10] before layers[2]).
  const keys = Object.keys(t.config.params).sort(bySpecOrder);
  for (const k of keys) add(labelOf(k), formatParam(t.config.params[k]));
  if (!keys.length) add('(no parameters)', '');
  const tr = t.config.training;
  add('Training', '', 'section');
  add('optimizer', tr.optimizer, 'training');
  add('learning rate', formatParam(tr.learningRate), 'training');
  add('batch size', String(tr.batchSize), 'training');
  add('epochs', String(tr.epochs), 'training');
  return rows;
}

/** Paths compared with their numbers as numbers: `layers[2]` before `layers[10]`. */
function bySpecOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
