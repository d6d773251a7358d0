// The "Progress" tab: the objective of every trial with the best so far, and the live learning curves.
import { CurvesChart, ObjectiveChart } from './charts';
import { curveSeries, objectiveSeries, type PanelModel, type XMode } from './model';
import type { Palette } from './theme';
import { dropdown } from './toolkit';

export class ProgressView {
  readonly element = document.createElement('div');
  private readonly objective: ObjectiveChart;
  private readonly curves: CurvesChart;
  private readonly curvesTitle = document.createElement('h3');

  constructor(
    palette: Palette,
    private xMode: XMode,
    o: { onPick: (trial: number) => void; onXMode: (m: XMode) => void },
  ) {
    this.element.className = 'progress-view';
    const objBox = document.createElement('div');
    objBox.className = 'chart-box';
    const objHead = document.createElement('div');
    objHead.className = 'chart-head';
    const objTitle = document.createElement('h3');
    objTitle.textContent = 'Objective per trial, best so far';
    const modes = dropdown(
      [
        { value: 'trial', label: 'by trial' },
        { value: 'time', label: 'over time' },
      ],
      xMode,
      'X axis of the objective chart',
      (v) => {
        this.xMode = v === 'time' ? 'time' : 'trial';
        o.onXMode(this.xMode);
      },
    );
    objHead.append(objTitle, modes);
    const objChart = document.createElement('div');
    objChart.className = 'chart';
    objChart.dataset.testid = 'objective-chart';
    objBox.append(objHead, objChart);

    const curBox = document.createElement('div');
    curBox.className = 'chart-box';
    const curHead = document.createElement('div');
    curHead.className = 'chart-head';
    curHead.append(this.curvesTitle);
    const curChart = document.createElement('div');
    curChart.className = 'chart';
    curChart.dataset.testid = 'curves-chart';
    curBox.append(curHead, curChart);

    this.element.append(objBox, curBox);
    this.objective = new ObjectiveChart(objChart, palette, o.onPick);
    this.curves = new CurvesChart(curChart, palette);
  }

  update(m: PanelModel): void {
    this.objective.update({ series: objectiveSeries(m, this.xMode), mode: this.xMode, metric: m.metric });
    const curves = curveSeries(m);
    this.curvesTitle.textContent = curves.curves.some((c) => c.running)
      ? `Learning curves of running trials (${curves.metric})`
      : `Learning curves of the top trials (${curves.metric})`;
    this.curves.update({ curves });
  }

  setPalette(p: Palette): void {
    this.objective.setPalette(p);
    this.curves.setPalette(p);
  }
}
