// The results panel's entry point: says `ready`, folds host messages into the model, and redraws at most once
// per animation frame whatever the message rate. Views only draw what is visible, and the costly ones
// (parallel coordinates) at most once a second, so a 5,000-trial run stays responsive.
import 'uplot/dist/uPlot.min.css';
import './panel.css';
import { isHostToPanel } from '../src/shared/panel';
import { TrialDetail } from './detail';
import { Header } from './header';
import { Leaderboard } from './leaderboard';
import { LogView } from './logView';
import { isMultiObjective, leaderboardRows, nextSort, PanelModel, type Row, sortRows, type SortOrder, type XMode } from './model';
import { ParallelView } from './parallelView';
import { ParetoView } from './paretoView';
import { ProgressView } from './progressView';
import { SupernetView } from './supernetView';
import { onThemeChange, readPalette } from './theme';
import { registerToolkit, tabs } from './toolkit';
import { vscode, type SavedState } from './vscodeApi';

registerToolkit();
const api = vscode();
const saved = api.getState();
// `picked`: the user chose the selected trial; until then the selection follows the best trial as it changes.
const ui: { selected?: number; picked: boolean; sort: SortOrder; tab: string; xMode: XMode } = {
  selected: saved?.selected,
  picked: saved?.selected !== undefined,
  sort: saved?.sort ?? { key: 'rank', dir: 'asc' },
  tab: saved?.tab ?? 'progress',
  xMode: saved?.xMode ?? 'trial',
};
const model = new PanelModel();

function save() {
  const state: SavedState = {
    runDir: model.runDir || saved?.runDir || '',
    selected: ui.picked ? ui.selected : undefined,
    sort: ui.sort,
    tab: ui.tab,
    xMode: ui.xMode,
  };
  // The host's serializer needs runDir to reconnect after a window reload; without one there is nothing to keep.
  if (state.runDir) api.setState(state);
}

function select(trial: number, reveal: boolean) {
  ui.selected = trial;
  ui.picked = true;
  uiDirty = true;
  if (reveal) pendingReveal = trial;
  save();
  schedule();
}

const header = new Header({ stop: () => api.postMessage({ method: 'stop' }), resume: () => api.postMessage({ method: 'resume' }) });
const progress = new ProgressView(readPalette(), ui.xMode, {
  onPick: (t) => select(t, true),
  onXMode: (m) => {
    ui.xMode = m;
    save();
    redraw();
  },
});
const parallel = new ParallelView(() => redraw());
const pareto = new ParetoView({ onPick: (t) => select(t, true), onResize: () => redraw() });
const log = new LogView();
const supernet = new SupernetView();
// The Pareto and Supernet tabs exist from the start but are hidden unless the run has several objectives or is
// a darts run (see syncTabs). They come last: the tab strip places tabs in grid columns by position, so a
// hidden tab between two others left an empty column and a double gap there.
const views = tabs(
  [
    { id: 'progress', label: 'Progress', content: progress.element },
    { id: 'params', label: 'Parameters', content: parallel.element },
    { id: 'log', label: 'Log', content: log.element },
    { id: 'pareto', label: 'Pareto front', content: pareto.element },
    { id: 'supernet', label: 'Supernet', content: supernet.element },
  ],
  ui.tab,
  (id) => {
    if (id === ui.tab) return;
    ui.tab = id;
    save();
    redraw();
  },
);
const board = new Leaderboard({
  onSort: (key) => {
    ui.sort = nextSort(ui.sort, key, model.direction, model.testMetric);
    uiDirty = true;
    save();
    schedule();
  },
  onSelect: (t) => select(t, false),
});
const detail = new TrialDetail({
  reveal: (trial) => api.postMessage({ method: 'reveal', params: { trial } }),
  export: (trial) => api.postMessage({ method: 'export', params: { trial } }),
});

const app = document.getElementById('app') ?? document.body;
const viewsBox = document.createElement('section');
viewsBox.className = 'views';
viewsBox.appendChild(views);
const bottom = document.createElement('section');
bottom.className = 'bottom';
const boardBox = document.createElement('div');
boardBox.className = 'board';
boardBox.appendChild(board.element);
bottom.append(boardBox, detail.element);
app.replaceChildren(header.element, viewsBox, bottom);
app.classList.add('loading');

// --- rendering ---------------------------------------------------------------------------------------------

let frame = 0;
let uiDirty = true;
let pendingReveal: number | undefined;
let drawnVersion = -1;
const viewVersion: Record<string, number> = {};
let rows: Row[] = [];
let sorted: Row[] = [];
let rowsVersion = -1;
let parallelAt = 0;
let parallelTimer = 0;
/** At most once a second, and less often when drawing it takes long (10% of the main thread at most). */
let parallelInterval = 1000;

function schedule() {
  if (!frame) frame = requestAnimationFrame(render);
}

/** Forget what the views drew: a theme change, a resize or a mode switch must redraw even without new data. */
function redraw() {
  for (const k of Object.keys(viewVersion)) delete viewVersion[k];
  uiDirty = true;
  schedule();
}

/** Shows the Pareto tab only for a multi-objective run; leaves it for Progress when it goes. */
function syncTabs() {
  const multi = isMultiObjective(model);
  // Only the tab: the panels component hides and shows the views itself.
  const tab = views.querySelector<HTMLElement>('#tab-pareto');
  if (tab && tab.hidden === multi) tab.hidden = !multi;
  if (!multi && ui.tab === 'pareto') {
    ui.tab = 'progress';
    views.setAttribute('activeid', 'tab-progress');
    save();
  }
  // The Supernet tab: darts runs only (supernetView.ts).
  const darts = model.state.started?.strategy === 'darts' || model.state.supernet.length > 0;
  const sn = views.querySelector<HTMLElement>('#tab-supernet');
  if (sn && sn.hidden === darts) sn.hidden = !darts;
  if (!darts && ui.tab === 'supernet' && model.state.started) {
    ui.tab = 'progress';
    views.setAttribute('activeid', 'tab-progress');
    save();
  }
}

function render() {
  frame = 0;
  header.update(model, Date.now());
  if (!model.initialized) return;
  app.classList.remove('loading');
  syncTabs();
  const changed = model.version !== drawnVersion;
  drawnVersion = model.version;

  if (rowsVersion !== model.version) {
    rows = leaderboardRows(model);
    rowsVersion = model.version;
  }
  // The best trial is the one to look at, and a new best replaces it, until the user picks a trial.
  if (!ui.picked || ui.selected === undefined || !model.state.trials.has(ui.selected)) {
    const best = model.best();
    if (best && best.trial !== ui.selected) {
      ui.selected = best.trial;
      ui.picked = false;
      uiDirty = true;
    }
  }
  if (changed || uiDirty) {
    sorted = sortRows(rows, ui.sort);
    board.update(sorted, ui.sort, model.metric, ui.selected, model.testMetric);
    const t = ui.selected !== undefined ? model.state.trials.get(ui.selected) : undefined;
    detail.update(model, t, t && rows.find((r) => r.trial === t.trial));
    if (pendingReveal !== undefined) board.reveal(pendingReveal);
    pendingReveal = undefined;
  }
  const selectionChanged = uiDirty;
  uiDirty = false;

  const stale = (id: string) => viewVersion[id] !== model.version || selectionChanged;
  if (ui.tab === 'progress' && viewVersion.progress !== model.version) {
    progress.update(model);
    viewVersion.progress = model.version;
  } else if (ui.tab === 'params' && stale('params')) {
    const wait = parallelAt + parallelInterval - Date.now();
    if (wait <= 0) {
      const t = performance.now();
      parallel.update(model, ui.selected);
      viewVersion.params = model.version;
      parallelAt = Date.now();
      parallelInterval = Math.max(1000, 10 * (performance.now() - t));
    } else if (!parallelTimer) {
      parallelTimer = window.setTimeout(() => {
        parallelTimer = 0;
        uiDirty = true;
        schedule();
      }, wait);
    }
  } else if (ui.tab === 'pareto' && stale('pareto')) {
    pareto.update(model, ui.selected);
    viewVersion.pareto = model.version;
  } else if (ui.tab === 'supernet' && stale('supernet')) {
    supernet.update(model);
    viewVersion.supernet = model.version;
  } else if (ui.tab === 'log') log.update(model);
}

// --- host messages -----------------------------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent) => {
  const msg: unknown = e.data;
  if (!isHostToPanel(msg)) return;
  model.apply(msg);
  if (msg.method === 'init') {
    if (ui.selected !== undefined && !model.state.trials.has(ui.selected)) {
      ui.selected = undefined;
      ui.picked = false;
    }
    save();
  }
  schedule();
});

// Elapsed time and ETA move without events; a once-a-second tick is all the header needs.
window.setInterval(() => {
  if (model.isLive) schedule();
}, 1000);

onThemeChange(() => {
  progress.setPalette(readPalette());
  redraw();
});

api.postMessage({ method: 'ready' });
schedule();
