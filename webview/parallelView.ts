// The "Parameters" tab: how much each parameter mattered (fANOVA importance from the run's analysis, once the
// run has one) and parallel coordinates of the sampled parameters against the objective.
import { importanceSvg } from './analysisSvg';
import { paramLabeler } from './format';
import { importanceBars, type PanelModel } from './model';
import { parallelCoordsSvg, type PcTrial } from './parallelCoords';

export class ParallelView {
  readonly element = document.createElement('div');
  private readonly importance = document.createElement('div');
  private readonly importanceTitle = document.createElement('h3');
  private readonly coords = document.createElement('div');
  private width = 0;

  constructor(private readonly onResize: () => void) {
    this.element.className = 'params-view';
    this.importance.className = 'importance-box';
    this.importance.dataset.testid = 'param-importance';
    this.importanceTitle.textContent = 'Parameter importance';
    this.importanceTitle.title = "Each parameter's share of the variance of the objective (fANOVA on the finished trials)";
    this.coords.className = 'parallel-view';
    this.coords.dataset.testid = 'parallel-coords';
    const coordsTitle = document.createElement('h3');
    coordsTitle.textContent = 'Parameters against the objective';
    this.element.append(this.importanceTitle, this.importance, coordsTitle, this.coords);
    new ResizeObserver(() => {
      // Text sizes must not scale with the panel, so the SVG is redrawn at its real width rather than stretched.
      const w = this.coords.clientWidth;
      if (w && Math.abs(w - this.width) > 8) this.onResize();
    }).observe(this.coords);
  }

  update(m: PanelModel, selected: number | undefined): void {
    this.width = this.coords.clientWidth;
    if (!this.width) return;
    const bars = importanceBars(m);
    this.importanceTitle.hidden = this.importance.hidden = !bars.length;
    this.importance.innerHTML = importanceSvg(bars, { width: Math.min(this.width, 760) });
    const trials: PcTrial[] = [];
    for (const t of m.state.trials.values()) {
      if ((t.status === 'completed' || t.status === 'pruned') && t.value !== undefined && !Number.isNaN(t.value))
        trials.push({ trial: t.trial, params: t.config.params, value: t.value, pruned: t.status === 'pruned' });
    }
    this.coords.innerHTML = parallelCoordsSvg(trials, {
      width: this.width,
      height: 320,
      direction: m.direction,
      objectiveLabel: m.metric,
      selected,
      labelOf: paramLabeler(m.state),
    });
  }
}
