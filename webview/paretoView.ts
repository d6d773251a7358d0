// The "Pareto" tab of a multi-objective run: the first two objectives as a scatter with the non-dominated
// trials highlighted and connected, and the front as a small table. A click on a point or a row selects that
// trial in the leaderboard and the detail.
import { paretoSvg } from './analysisSvg';
import { formatObjective, objectiveLabel, paretoData, type PanelModel } from './model';

export class ParetoView {
  readonly element = document.createElement('div');
  private readonly chart = document.createElement('div');
  private readonly caption = document.createElement('h3');
  private readonly table = document.createElement('table');
  private width = 0;

  constructor(private readonly o: { onPick: (trial: number) => void; onResize: () => void }) {
    this.element.className = 'pareto-view';
    this.chart.className = 'pareto-chart';
    this.chart.dataset.testid = 'pareto-chart';
    this.table.className = 'pareto-table';
    this.table.dataset.testid = 'pareto-table';
    const side = document.createElement('div');
    side.className = 'pareto-side';
    side.append(this.caption, this.table);
    this.element.append(this.chart, side);
    const pick = (e: Event) => {
      const el = (e.target as Element | null)?.closest?.('[data-trial]');
      const n = el ? Number(el.getAttribute('data-trial')) : NaN;
      if (Number.isInteger(n)) this.o.onPick(n);
    };
    this.chart.addEventListener('click', pick);
    this.table.addEventListener('click', pick);
    this.table.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        pick(e);
      }
    });
    new ResizeObserver(() => {
      const w = this.chart.clientWidth;
      if (w && Math.abs(w - this.width) > 8) this.o.onResize();
    }).observe(this.chart);
  }

  update(m: PanelModel, selected: number | undefined): void {
    this.width = this.chart.clientWidth;
    if (!this.width) return;
    const d = paretoData(m);
    this.chart.innerHTML = paretoSvg(d, { width: this.width, height: 300, selected });
    this.caption.textContent = `Pareto front: ${d.table.length} trial${d.table.length === 1 ? '' : 's'}${m.state.analysis?.front ? '' : ' so far'}`;
    const head = document.createElement('tr');
    for (const h of ['Trial', ...d.objectives.map(objectiveLabel), 'Crowding']) {
      const th = document.createElement('th');
      th.textContent = h;
      th.scope = 'col';
      head.appendChild(th);
    }
    const rows = d.table.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.trial = String(r.trial);
      tr.tabIndex = 0;
      if (r.trial === selected) tr.className = 'selected';
      const cells = [
        `#${r.trial}`,
        ...d.objectives.map((o, i) => formatObjective(o, r.values[i])),
        r.crowding === null ? (m.state.analysis?.front ? 'edge' : '—') : r.crowding.toFixed(2),
      ];
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.appendChild(td);
      }
      return tr;
    });
    this.table.replaceChildren(head, ...rows);
  }
}
