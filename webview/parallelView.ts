// The "Parameters" tab: parallel coordinates of the sampled parameters against the objective.
import type { PanelModel } from './model';
import { parallelCoordsSvg, type PcTrial } from './parallelCoords';

export class ParallelView {
  readonly element = document.createElement('div');
  private width = 0;

  constructor(private readonly onResize: () => void) {
    this.element.className = 'parallel-view';
    this.element.dataset.testid = 'parallel-coords';
    new ResizeObserver(() => {
      // Text sizes must not scale with the panel, so the SVG is redrawn at its real width rather than stretched.
      const w = this.element.clientWidth;
      if (w && Math.abs(w - this.width) > 8) this.onResize();
    }).observe(this.element);
  }

  update(m: PanelModel, selected: number | undefined): void {
    this.width = this.element.clientWidth;
    if (!this.width) return;
    const trials: PcTrial[] = [];
    for (const t of m.state.trials.values()) {
      if ((t.status === 'completed' || t.status === 'pruned') && t.value !== undefined && !Number.isNaN(t.value)) trials.push({ trial: t.trial, params: t.config.params, value: t.value, pruned: t.status === 'pruned' });
    }
    this.element.innerHTML = parallelCoordsSvg(trials, { width: this.width, height: 320, direction: m.direction, objectiveLabel: m.metric, selected });
  }
}
