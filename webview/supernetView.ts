// The "Supernet" tab of a darts run: the latest alpha as a heatmap that follows the search live, the supernet's
// learning curves, and a line on what happens next (the derived architectures retrain as ordinary trials, whose
// diagrams are in the trial detail).
import './supernet.css';
import type { PanelModel } from './model';
import { heatmapData, heatmapSvg, supernetCurvesSvg } from './supernetSvg';

export class SupernetView {
  readonly element = document.createElement('div');
  private readonly title = document.createElement('h3');
  private readonly heatmap = document.createElement('div');
  private readonly note = document.createElement('div');
  private readonly curves = document.createElement('div');

  constructor() {
    this.element.className = 'supernet-view';
    this.heatmap.dataset.testid = 'alpha-heatmap';
    this.curves.dataset.testid = 'supernet-curves';
    this.note.className = 'supernet-note';
    this.element.append(this.title, this.heatmap, this.note, this.curves);
  }

  update(m: PanelModel): void {
    const epochs = m.state.supernet;
    const d = heatmapData(epochs);
    if (!d) {
      this.title.textContent = 'Supernet: waiting for its first epoch';
      this.heatmap.replaceChildren();
      this.curves.replaceChildren();
      this.note.textContent = '';
      return;
    }
    const done = epochs.length >= d.epochs;
    this.title.textContent = `Architecture weights, softmax(alpha), after supernet epoch ${d.epoch + 1} of ${d.epochs}`;
    const width = this.element.clientWidth || 640;
    this.heatmap.innerHTML = heatmapSvg(d, { width });
    const trials = m.state.trials.size;
    this.note.textContent = done
      ? `Outlined: the strongest operation that is not none, per row (what derivation keeps). ${trials ? `${trials} derived architecture${trials === 1 ? '' : 's'} retrained from scratch as trials.` : 'The derived architecture retrains next.'}`
      : 'Outlined: the strongest operation that is not none, per row. The supernet is still training.';
    this.curves.innerHTML = supernetCurvesSvg(epochs, { width: Math.min(width, 720), height: 180 });
  }
}
