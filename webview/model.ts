// The panel's state, computed from host messages alone, and the pure selectors the views draw from. No DOM:
// the unit tests drive it with journal events. Event application is incremental (RunState.apply) because a
// live run sends a few events per batch while the panel may already hold 5,000 trials; the selectors are
// whole recomputations, which the views memoise on `version` and run at most once per animation frame.
import { isRanked, RunState, type TrialState } from '../src/core/runstate';
import { paretoFront, toMaximize } from '../src/core/pareto';
import { epochsDone, RunTiming } from '../src/core/timing';
import type { Direction, EpochMetrics, LogLine, MetricName, Objective, RunEvent } from '../src/shared/events';
import type { HostToPanel, RunStatus } from '../src/shared/panel';
import { formatCount, formatValue, paramLabeler } from './format';
import { workerFact, workerLabel } from './workerColumn';

/** A trial's state as the panel shows it: a `running` trial of a run that is no longer running was interrupted. */
export type RowState = 'running' | 'completed' | 'pruned' | 'failed' | 'interrupted' | 'cut';

export interface Row {
  trial: number;
  /** 1-based among completed trials, best first; pruned, failed and unfinished trials have none. */
  rank?: number;
  value?: number;
  /** Trainable weights of the model. */
  params?: number;
  epochs: number;
  durationMs?: number;
  state: RowState;
  /** Why it ended as it did: the error of a failed trial, the pruner's reason, an early stop. */
  note: string;
  attempts: number;
  hasWeights: boolean;
  /** Multi-fidelity runs: the rung of the trial's current (or last) segment, and how often it was promoted. */
  rung?: number;
  promotions?: number;
  /** The kept weights' score on the test set (its accuracy; its loss for regression), once the run ended. */
  test?: number;
  /** The process training its current (or last) attempt: `gpu-2 (pid 311)` (workerColumn.ts). */
  worker?: string;
}

export type SortKey = 'rank' | 'trial' | 'value' | 'test' | 'params' | 'epochs' | 'duration' | 'state';
export type SortDir = 'asc' | 'desc';
export interface SortOrder {
  key: SortKey;
  dir: SortDir;
}

const LOG_LIMIT = 500;

export class PanelModel {
  runDir = '';
  status: RunStatus = 'starting';
  canResume = false;
  message?: string;
  state = new RunState();
  /** The latest log lines (warnings matter most: a backend fallback, a retried worker). */
  logs: LogLine[] = [];
  /** Whether `init` arrived: before it the panel shows nothing rather than an empty run. */
  initialized = false;
  /** Bumped on every change so views skip work when nothing they draw changed. */
  version = 0;
  /** Elapsed time and ETA, one span per launch: elapsed time must not count the hours a run sat stopped. */
  timer = new RunTiming();
  /** The error that made each retried trial start again: RunState forgets it when the retry starts. */
  readonly retryErrors = new Map<number, string>();

  apply(msg: HostToPanel): void {
    switch (msg.method) {
      case 'init':
        this.reset();
        this.runDir = msg.params.runDir;
        this.setStatus(msg.params.status, msg.params.canResume);
        this.initialized = true;
        this.applyEvents(msg.params.events);
        break;
      case 'events':
        this.applyEvents(msg.params.events);
        break;
      case 'status':
        this.setStatus(msg.params.status, msg.params.canResume, msg.params.message);
        break;
    }
    this.version++;
  }

  private reset() {
    this.state = new RunState();
    this.logs = [];
    this.timer = new RunTiming();
    this.retryErrors.clear();
    this.message = undefined;
  }

  private setStatus(status: RunStatus, canResume: boolean, message?: string) {
    this.status = status;
    this.canResume = !!canResume;
    if (message !== undefined) this.message = message;
  }

  private applyEvents(events: readonly RunEvent[]) {
    for (const e of events) {
      this.state.apply(e);
      this.timer.apply(e, this.state);
      if (e.type === 'trial-failed' && e.retry) this.retryErrors.set(e.trial, e.error);
      if (e.type === 'log') {
        this.logs.push(e);
        if (this.logs.length > LOG_LIMIT * 2) this.logs = this.logs.slice(-LOG_LIMIT);
      }
      if (e.type === 'run-finished' && e.message) this.message = e.message;
    }
  }

  get name(): string {
    return this.state.started?.name ?? '';
  }

  get direction(): Direction {
    return this.state.direction;
  }

  get metric(): MetricName {
    return this.state.started?.objective.metric ?? 'val_accuracy';
  }

  /** What the Test column shows: accuracy for classification, loss for regression; undefined without a test set. */
  get testMetric(): 'test_accuracy' | 'test_loss' | undefined {
    const s = this.state.started;
    if (!s?.test) return undefined;
    return s.outputs > 1 ? 'test_accuracy' : 'test_loss';
  }

  /** Trials done against the trial budget. */
  progress(): { done: number; budget: number; running: number; completed: number; pruned: number; failed: number } {
    const c = this.state.counts();
    return { ...c, budget: this.state.started?.budget.trials ?? 0 };
  }

  get isLive(): boolean {
    return this.status === 'running' || this.status === 'starting' || this.status === 'stopping';
  }

  /**
   * Elapsed run time (the sum of every launch's span, the current one up to `now` while live) and an ETA from
   * the current launch's pace, capped by the time budget. `now` is a parameter so tests are deterministic.
   */
  timing(now: number): { elapsedMs: number; etaMs?: number } {
    const live = this.isLive && !this.state.finished;
    const elapsedMs = this.timer.elapsedMs(live ? now : undefined);
    const etaMs = live ? this.timer.etaMs(this.state, now) : undefined;
    return etaMs === undefined ? { elapsedMs } : { elapsedMs, etaMs };
  }

  private rankedCache?: { version: number; trials: TrialState[] };

  /** Completed trials best first (RunState.ranked), computed once per version: several selectors need it. */
  ranked(): TrialState[] {
    if (this.rankedCache?.version !== this.version) this.rankedCache = { version: this.version, trials: this.state.ranked() };
    return this.rankedCache.trials;
  }

  /** The same trial RunState.best() picks (ties go to the lower trial number), from the cached ranking. */
  best(): TrialState | undefined {
    return this.ranked()[0];
  }

  rowState(t: TrialState): RowState {
    return t.status === 'running' && !this.isLive ? 'interrupted' : t.status;
  }
}

const STOP_NOTES: Record<string, string> = { 'early-stopping': 'early stop', 'time-limit': 'time limit', epochs: '' };

function noteOf(t: TrialState, state: RowState, retryError: string | undefined): string {
  switch (state) {
    case 'failed':
      return t.error ?? 'failed';
    case 'pruned':
      return t.reason ?? 'pruned';
    case 'completed':
      return STOP_NOTES[t.reason ?? ''] ?? t.reason ?? '';
    case 'interrupted':
      return 'interrupted: the run stopped before it ended';
    case 'cut':
      return `cut by the time budget after ${epochsDone(t)} of ${t.plannedEpochs ?? '?'} epochs`;
    case 'running':
      return t.attempts > 1 && retryError ? `attempt ${t.attempts} after: ${retryError}` : '';
  }
}

/** One row per trial, in trial order. */
export function leaderboardRows(m: PanelModel): Row[] {
  const ranks = new Map<number, number>();
  m.ranked().forEach((t, i) => ranks.set(t.trial, i + 1));
  const rows: Row[] = [];
  for (const t of m.state.trials.values()) {
    const state = m.rowState(t);
    rows.push({
      trial: t.trial,
      rank: ranks.get(t.trial),
      value: t.value,
      params: t.params,
      epochs: epochsDone(t),
      durationMs: t.durationMs,
      state,
      note: noteOf(t, state, m.retryErrors.get(t.trial)),
      attempts: t.attempts,
      hasWeights: t.hasWeights,
      ...(t.rung !== undefined ? { rung: t.rung } : {}),
      ...(t.promotions ? { promotions: t.promotions } : {}),
      ...testOf(m, t),
      ...(t.pid !== undefined ? { worker: workerLabel(t) } : {}),
    });
  }
  return rows.sort((a, b) => a.trial - b.trial);
}

function testOf(m: PanelModel, t: TrialState): { test?: number } {
  const v = m.testMetric === 'test_accuracy' ? t.test?.accuracy : t.test?.loss;
  return v !== undefined && v !== null ? { test: v } : {};
}

/**
 * The State column's text: a multi-fidelity trial says where it stands in the successive-halving ladder
 * ("pruned @ rung 1": stopped there, and may still be promoted while the run goes on; "promoted → rung 2":
 * running again from its saved weights).
 */
export function stateLabel(r: Row): string {
  if (r.rung === undefined) return r.state;
  switch (r.state) {
    case 'pruned':
      return `pruned @ rung ${r.rung}`;
    case 'running':
      return r.promotions ? `promoted → rung ${r.rung}` : `running rung ${r.rung}`;
    case 'interrupted':
      return `interrupted @ rung ${r.rung}`;
    default:
      return r.state;
  }
}

/** Unranked rows come after ranked ones, live ones first: they may still rank. */
const STATE_ORDER: Record<RowState, number> = { completed: 0, cut: 0, running: 1, pruned: 2, interrupted: 3, failed: 4 };

/** The direction a column sorts in when first clicked: the best objective first, everything else ascending. */
export function defaultDir(key: SortKey, direction: Direction, testMetric?: string): SortDir {
  if (key === 'value') return direction === 'maximize' ? 'desc' : 'asc';
  if (key === 'test') return testMetric === 'test_loss' ? 'asc' : 'desc';
  return 'asc';
}

export function nextSort(current: SortOrder, key: SortKey, direction: Direction, testMetric?: string): SortOrder {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: defaultDir(key, direction, testMetric) };
}

function numeric(r: Row, key: SortKey): number | undefined {
  switch (key) {
    case 'rank':
      return r.rank;
    case 'trial':
      return r.trial;
    case 'value':
      return r.value !== undefined && !Number.isNaN(r.value) ? r.value : undefined;
    case 'test':
      return r.test !== undefined && !Number.isNaN(r.test) ? r.test : undefined;
    case 'params':
      return r.params;
    case 'epochs':
      return r.epochs;
    case 'duration':
      return r.durationMs;
    case 'state':
      return STATE_ORDER[r.state];
  }
}

/** A new sorted array. Rows without the key's value sort last in both directions; ties go by trial number. */
export function sortRows(rows: readonly Row[], order: SortOrder): Row[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  // Keys computed once per row, not once per comparison: this runs every frame of a live 5,000-trial run.
  const keyed = rows.map((r) => ({ r, k: numeric(r, order.key), s: STATE_ORDER[r.state] }));
  keyed.sort((a, b) => {
    const x = a.k;
    const y = b.k;
    if (x === undefined || y === undefined) {
      if (x !== y) return x === undefined ? 1 : -1;
      // Unranked rows under a rank sort: by state, so failures gather at the bottom.
      if (order.key === 'rank') return a.s - b.s || a.r.trial - b.r.trial;
      return a.r.trial - b.r.trial;
    }
    return sign * (x - y) || a.r.trial - b.r.trial;
  });
  return keyed.map((x) => x.r);
}

export type XMode = 'time' | 'trial';

/**
 * The objective chart's data, aligned on one x axis as uPlot wants: every trial with a value as a point
 * (completed or pruned, so null in the other series) and the best-so-far of completed trials as a step line.
 * x is the trial number, or the time the trial ended (unix seconds) in 'time' mode. Pruned values never count
 * as best; paused ones (at a rung of ASHA or Hyperband) do, as RunState.best() says.
 */
export interface ObjectiveSeries {
  x: number[];
  trials: number[];
  completed: (number | null)[];
  pruned: (number | null)[];
  best: (number | null)[];
}

/** Parsed end times, per trial state object (a retry or a re-init makes new ones): Date.parse is slow in bulk. */
const endSeconds = new WeakMap<TrialState, number>();

function endedAt(t: TrialState): number {
  let v = endSeconds.get(t);
  if (v === undefined) {
    v = Date.parse(t.endedAt ?? t.startedAt) / 1000;
    if (t.endedAt) endSeconds.set(t, v);
  }
  return v;
}

export function objectiveSeries(m: PanelModel, mode: XMode): ObjectiveSeries {
  const pts: { x: number; trial: number; value: number; completed: boolean; ranks: boolean }[] = [];
  for (const t of m.state.trials.values()) {
    if ((t.status !== 'completed' && t.status !== 'pruned' && t.status !== 'cut') || t.value === undefined || Number.isNaN(t.value)) continue;
    const x = mode === 'trial' ? t.trial : endedAt(t);
    if (!Number.isFinite(x)) continue;
    // Trials cut by the budget rank like completed ones; paused ones (drawn with the pruned, at their lower
    // fidelity) rank too: all of them belong on the best-so-far line.
    pts.push({ x, trial: t.trial, value: t.value, completed: t.status !== 'pruned', ranks: isRanked(t) });
  }
  pts.sort((a, b) => a.x - b.x || a.trial - b.trial);
  const sign = m.direction === 'maximize' ? 1 : -1;
  const out: ObjectiveSeries = { x: [], trials: [], completed: [], pruned: [], best: [] };
  let best: number | null = null;
  for (const p of pts) {
    if (p.ranks && (best === null || sign * p.value > sign * best)) best = p.value;
    out.x.push(p.x);
    out.trials.push(p.trial);
    out.completed.push(p.completed ? p.value : null);
    out.pruned.push(p.completed ? null : p.value);
    out.best.push(best);
  }
  return out;
}

export interface Curve {
  trial: number;
  running: boolean;
  best: boolean;
  values: (number | null)[];
}

export interface CurveSeries {
  metric: MetricName;
  /** Epoch numbers, 1-based as people count them. */
  epochs: number[];
  curves: Curve[];
}

/** The validation counterpart of the objective: curves of a training metric would flatter every trial. */
export function curveMetric(objective: MetricName): MetricName {
  if (objective === 'loss') return 'val_loss';
  if (objective === 'accuracy') return 'val_accuracy';
  return objective;
}

/**
 * Learning curves: the running trials, live; when none runs (a finished run) the top few, so the chart
 * still says something. The best trial is always there as the reference to beat.
 */
export function curveSeries(m: PanelModel, maxCurves = 8): CurveSeries {
  const metric = curveMetric(m.metric);
  const running: TrialState[] = [];
  if (m.isLive) for (const t of m.state.trials.values()) if (t.status === 'running') running.push(t);
  running.sort((a, b) => a.trial - b.trial);
  const best = m.best();
  let picked: TrialState[] = running.length ? running.slice(0, maxCurves - 1) : m.ranked().slice(0, Math.min(5, maxCurves));
  if (best && !picked.includes(best)) picked = [best, ...picked];
  let len = 0;
  for (const t of picked) len = Math.max(len, t.history.length);
  const curves = picked.map((t) => ({
    trial: t.trial,
    running: t.status === 'running',
    best: t === best,
    values: Array.from({ length: len }, (_, i) => valueAt(t.history[i], metric)),
  }));
  return { metric, epochs: Array.from({ length: len }, (_, i) => i + 1), curves };
}

function valueAt(h: EpochMetrics | undefined, metric: MetricName): number | null {
  const v = h?.[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function trial(m: PanelModel, n: number): TrialState | undefined {
  return m.state.trials.get(n);
}

// --- multi-objective results and the run's analysis --------------------------------------------------------

/** The run's objectives: every one listed by the spec, or the single primary objective. */
export function objectivesOf(m: PanelModel): Objective[] {
  const started = m.state.started;
  if (started?.objectives?.length) return started.objectives;
  return [{ metric: m.metric, direction: m.direction }];
}

export function isMultiObjective(m: PanelModel): boolean {
  return objectivesOf(m).length > 1;
}

/** The axis name of an objective: `params` is the weight count, `latency` is in milliseconds. */
export function objectiveLabel(o: Objective): string {
  return o.metric === 'latency' ? 'latency (ms)' : o.metric === 'params' ? 'weights' : o.metric;
}

export interface ImportanceBar {
  param: string;
  label: string;
  /** Share of the objective's variance, 0..1. */
  importance: number;
}

/** Parameter importance from the run's `analysis` event, most important first; empty before the run ends. */
export function importanceBars(m: PanelModel): ImportanceBar[] {
  const list = m.state.analysis?.importance ?? [];
  const label = paramLabeler(m.state);
  return list
    .filter((p) => typeof p.importance === 'number' && Number.isFinite(p.importance))
    .map((p) => ({ param: p.param, label: p.label ?? label(p.param), importance: Math.max(0, p.importance) }))
    .sort((a, b) => b.importance - a.importance || a.param.localeCompare(b.param));
}

export interface ParetoPointView {
  trial: number;
  x: number;
  y: number;
  /** Every objective value (raw units), in the run's objective order. */
  values: number[];
  front: boolean;
}

export interface ParetoData {
  objectives: Objective[];
  /** Completed trials with a finite value for the first two objectives. */
  points: ParetoPointView[];
  /** The Pareto front, sorted along x (for the connecting line). */
  front: ParetoPointView[];
  /** The front as a table: best primary value first, with NSGA-II crowding (null: an extreme, or not computed). */
  table: { trial: number; values: number[]; crowding: number | null }[];
}

/**
 * The Pareto tab's data. A finished run's `analysis` event names the front; while the run goes on (or for a
 * journal without one) the front is computed from the completed trials the same way the engine does.
 */
export function paretoData(m: PanelModel): ParetoData {
  const objectives = objectivesOf(m);
  const out: ParetoData = { objectives, points: [], front: [], table: [] };
  if (objectives.length < 2) return out;
  const trials = [...m.state.trials.values()].filter((t) => t.status === 'completed' && t.values && t.values.length === objectives.length);
  const analysisFront = m.state.analysis?.front;
  let frontSet: Set<number>;
  if (analysisFront) {
    frontSet = new Set(analysisFront.map((p) => p.trial));
    out.table = analysisFront.map((p) => ({ trial: p.trial, values: p.values, crowding: p.crowding }));
  } else {
    const idx = paretoFront(
      trials.map((t) =>
        toMaximize(
          t.values!,
          objectives.map((o) => o.direction),
        ),
      ),
    );
    const sign = objectives[0].direction === 'maximize' ? 1 : -1;
    out.table = idx
      .map((i) => ({ trial: trials[i].trial, values: trials[i].values!, crowding: null }))
      .sort((a, b) => sign * (b.values[0] - a.values[0]) || a.trial - b.trial);
    frontSet = new Set(out.table.map((r) => r.trial));
  }
  for (const t of trials) {
    const [x, y] = t.values!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    out.points.push({ trial: t.trial, x, y, values: t.values!, front: frontSet.has(t.trial) });
  }
  out.points.sort((a, b) => a.trial - b.trial);
  out.front = out.points.filter((p) => p.front).sort((a, b) => a.x - b.x || a.y - b.y || a.trial - b.trial);
  return out;
}

/** A value of an objective as people read it: weights counted, latency in ms, metrics to four digits. */
export function formatObjective(o: Objective, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (o.metric === 'params') return formatCount(v);
  if (o.metric === 'latency') return `${formatValue(v)} ms`;
  return formatValue(v);
}

/**
 * What the trial detail adds to its summary beyond the leaderboard row: every objective of a multi-objective
 * run, the inference latency, the multi-fidelity rung, and weight inheritance (the parent and the layers taken).
 */
export function trialFacts(m: PanelModel, t: TrialState): string[] {
  const facts: string[] = [];
  const objectives = objectivesOf(m);
  if (objectives.length > 1 && t.values) {
    // The primary metric and the weights are in the summary already.
    const more = objectives.map((o, i) => ({ o, v: t.values![i] })).filter(({ o }) => o.metric !== m.metric && o.metric !== 'params');
    if (more.length) facts.push(more.map(({ o, v }) => `${objectiveLabel(o)} ${formatObjective(o, v)}`).join(', '));
    const front = paretoFrontTrials(m);
    if (front.has(t.trial)) facts.push('on the Pareto front');
  }
  const latencyShown = objectives.length > 1 && !!t.values && objectives.some((o) => o.metric === 'latency');
  if (t.latencyMs !== undefined && !latencyShown) facts.push(`latency ${formatValue(t.latencyMs)} ms`);
  if (t.test && !t.test.error) {
    const acc = t.test.accuracy !== undefined ? `test accuracy ${formatValue(t.test.accuracy)}, ` : '';
    facts.push(`${acc}test loss ${formatValue(t.test.loss ?? NaN)} (${formatCount(t.test.samples)} test samples)`);
  } else if (t.test?.error) facts.push(`not scored on the test set: ${t.test.error}`);
  if (t.rung !== undefined) facts.push(`rung ${t.rung}${t.promotions ? `, promoted ${t.promotions}×` : ''}`);
  if (t.parent !== undefined) {
    const n = t.inheritedLayers;
    facts.push(n !== undefined ? `inherits ${n} layer${n === 1 ? '' : 's'} from trial #${t.parent}` : `child of trial #${t.parent}`);
  } else if (t.inheritedLayers) facts.push(`${t.inheritedLayers} inherited layers`);
  const worker = workerFact(t);
  if (worker) facts.push(worker);
  return facts;
}

/** The trials on the Pareto front (the analysis's, or computed while the run goes on). */
export function paretoFrontTrials(m: PanelModel): Set<number> {
  const front = m.state.analysis?.front;
  if (front) return new Set(front.map((p) => p.trial));
  return new Set(paretoData(m).table.map((r) => r.trial));
}
