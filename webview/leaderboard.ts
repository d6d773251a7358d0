// The leaderboard: every trial in one virtualised grid, sortable by clicking (or Enter/Space on) a header.
// Rows show why a trial ended (a failure's error, a pruner's reason) in the last column, so failures are
// read in place rather than in a log.
import { formatCount, formatDuration, formatValue } from './format';
import { type Row, type SortKey, type SortOrder, stateLabel } from './model';
import { VirtualList } from './virtualList';
import { NO_TEST_SET } from '../src/shared/events';

const ROW_HEIGHT = 24;

interface Column {
  /** `note` and `worker` are text, not sortable. */
  key: SortKey | 'note' | 'worker';
  label: string;
  cell: (r: Row) => string;
  numeric?: boolean;
}

export class Leaderboard {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly list: VirtualList<Row>;
  private rows: Row[] = [];
  private metric = 'objective';
  private testMetric?: string;
  private sort: SortOrder = { key: 'rank', dir: 'asc' };
  private readonly columns: Column[];

  constructor(private readonly o: { onSort: (key: SortKey) => void; onSelect: (trial: number) => void }) {
    this.columns = [
      { key: 'rank', label: '#', cell: (r) => (r.rank ? String(r.rank) : ''), numeric: true },
      { key: 'trial', label: 'Trial', cell: (r) => String(r.trial), numeric: true },
      { key: 'value', label: 'Objective', cell: (r) => formatValue(r.value), numeric: true },
      { key: 'test', label: 'Test', cell: (r) => (r.test === undefined ? '' : formatValue(r.test)), numeric: true },
      { key: 'params', label: 'Weights', cell: (r) => formatCount(r.params), numeric: true },
      { key: 'epochs', label: 'Epochs', cell: (r) => String(r.epochs), numeric: true },
      { key: 'duration', label: 'Duration', cell: (r) => formatDuration(r.durationMs), numeric: true },
      { key: 'state', label: 'State', cell: stateLabel },
      { key: 'worker', label: 'Worker', cell: (r) => r.worker ?? '' },
      { key: 'note', label: 'Note', cell: (r) => r.note },
    ];
    this.element = document.createElement('div');
    this.element.className = 'leaderboard';
    this.element.dataset.testid = 'leaderboard';
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', 'Leaderboard of trials');

    this.header = document.createElement('div');
    this.header.className = 'lb-row lb-header';
    this.header.setAttribute('role', 'row');
    this.header.setAttribute('aria-rowindex', '1');
    for (const c of this.columns) {
      const h = document.createElement('div');
      h.className = `lb-cell${c.numeric ? ' num' : ''}`;
      h.setAttribute('role', 'columnheader');
      h.dataset.key = c.key;
      h.dataset.testid = `leaderboard-header-${c.key}`;
      if (c.key !== 'note' && c.key !== 'worker') {
        h.tabIndex = 0;
        h.classList.add('sortable');
        const sortBy = () => this.o.onSort(c.key as SortKey);
        h.addEventListener('click', sortBy);
        h.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            sortBy();
          }
        });
      }
      this.header.appendChild(h);
    }

    const viewport = document.createElement('div');
    viewport.className = 'lb-viewport';
    this.element.setAttribute('aria-description', 'Arrow keys move between trials; the chosen trial opens in the detail');
    this.element.append(this.header, viewport);

    this.list = new VirtualList<Row>({
      viewport,
      focusTarget: this.element,
      rowHeight: ROW_HEIGHT,
      createRow: () => this.createRow(),
      renderRow: (el, r, _i, active) => this.renderRow(el, r, active),
      onActivate: (r) => this.o.onSelect(r.trial),
    });
    this.renderHeader();
  }

  /** `rows` come sorted; `selected` is the trial shown in the detail; `testMetric` undefined: no test set. */
  update(rows: Row[], sort: SortOrder, metric: string, selected: number | undefined, testMetric?: string): void {
    this.rows = rows;
    if (sort.key !== this.sort.key || sort.dir !== this.sort.dir || metric !== this.metric || testMetric !== this.testMetric) {
      this.sort = sort;
      this.metric = metric;
      this.testMetric = testMetric;
      this.renderHeader();
    }
    this.list.setItems(rows, selected === undefined ? -1 : rows.findIndex((r) => r.trial === selected));
  }

  reveal(trial: number): void {
    this.list.reveal(this.rows.findIndex((r) => r.trial === trial));
  }

  private renderHeader() {
    this.columns.forEach((c, i) => {
      const h = this.header.children[i] as HTMLElement;
      const label = c.key === 'value' ? this.metric : c.key === 'test' ? (this.testMetric ?? 'test') : c.label;
      const sorted = c.key === this.sort.key;
      h.textContent = sorted ? `${label} ${this.sort.dir === 'asc' ? '▲' : '▼'}` : label;
      if (c.key === 'note' || c.key === 'worker') return;
      h.setAttribute('aria-sort', sorted ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      h.title =
        c.key !== 'test'
          ? `Sort by ${label}`
          : this.testMetric
            ? `Sort by ${label}: the kept trials scored once on the test set when the run ended`
            : NO_TEST_SET;
    });
  }

  private createRow(): HTMLElement {
    const row = document.createElement('div');
    row.className = 'lb-row';
    row.setAttribute('role', 'row');
    row.dataset.testid = 'leaderboard-row';
    for (const c of this.columns) {
      const cell = document.createElement('div');
      cell.className = `lb-cell${c.numeric ? ' num' : ''} col-${c.key}`;
      cell.setAttribute('role', 'gridcell');
      row.appendChild(cell);
    }
    return row;
  }

  private renderRow(el: HTMLElement, r: Row, active: boolean) {
    el.dataset.trial = String(r.trial);
    el.dataset.state = r.state;
    el.className = `lb-row vlist-row state-${r.state}${active ? ' selected' : ''}${r.rank === 1 ? ' best' : ''}`;
    el.setAttribute('aria-selected', String(active));
    this.columns.forEach((c, i) => {
      const cell = el.children[i] as HTMLElement;
      const text = c.cell(r);
      if (cell.textContent !== text) cell.textContent = text;
      if (c.key === 'note' || c.key === 'state' || c.key === 'worker') cell.title = text;
    });
  }
}
