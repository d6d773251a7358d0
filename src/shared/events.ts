// Events of a run. The same objects are appended to the journal, printed by `nas-studio run --json`, and
// sent to the editor, so a panel can be rebuilt from a journal alone.
import type { TrialConfig } from './arch';
import type { AlphaRow } from './supernet';

export interface EpochMetrics {
  loss: number;
  val_loss: number;
  accuracy?: number;
  val_accuracy?: number;
}

export type MetricName = keyof EpochMetrics;
export type Direction = 'maximize' | 'minimize';

/** What a search can optimise: a training metric, the model's size, or its inference latency. */
export type ObjectiveMetric = MetricName | 'params' | 'latency';

export interface Objective {
  metric: ObjectiveMetric;
  direction: Direction;
}

export type StopReason = 'epochs' | 'early-stopping' | 'time-limit';

/** Sent by the orchestrator when a run starts or resumes. */
export interface RunStarted {
  type: 'run-started';
  time: string;
  /**
   * When this launch began (before its workers started; `time` is when the first became ready). A time budget
   * counts from here, so a resume must too: without it, worker start-up was budget time the journal forgot.
   */
  launched?: string;
  runId: string;
  name: string;
  specHash: string;
  /** The spec file the run was started from (absolute). */
  specFile: string;
  backend: string;
  strategy: string;
  objective: { metric: MetricName; direction: Direction };
  /** Every objective, when the search has several (`objective` is then the primary: the first training metric). */
  objectives?: Objective[];
  /** The pruner or multi-fidelity scheduler (absent: none). */
  pruner?: string;
  budget: { trials: number; minutes?: number };
  parallel: number;
  resumed: boolean;
  inputShape: number[];
  outputs: number;
  /** The test set (`dataset.test`) in words; absent when the spec names none. */
  test?: string;
  /** Samples each trial trains and validates on, after `subset` and `validationSplit` (absent in journals before 0.2). */
  samples?: { train: number; val: number };
  /** The machine this launch runs on: where its forked workers train (queue workers name theirs in `trial-assigned`). */
  host?: string;
}

/** Said once when a run without a test set ends, by the journal (a log line) and the CLI summary alike. */
export const NO_TEST_SET = 'no test set was given (dataset.test): every score is a validation score, which the search optimised and so overstates';

/**
 * `darts`: one epoch of the supernet, before any trial: its learning curves and softmax(alpha) per cell edge or
 * layer choice (the panel's heatmap). The last of `epochs` of them decides the derived trials.
 */
export interface SupernetEpoch {
  type: 'supernet-epoch';
  time: string;
  epoch: number;
  /** The supernet's planned epochs. */
  epochs: number;
  metrics: EpochMetrics;
  alpha: AlphaRow[];
  durationMs: number;
}

export interface TrialStarted {
  type: 'trial-started';
  time: string;
  trial: number;
  attempt: number;
  worker: number;
  /** The worker's process id, where it runs on this machine. */
  pid?: number;
  config: TrialConfig;
  /** Multi-fidelity runs: the rung this segment trains to, and its epochs in all (below training.epochs). */
  rung?: number;
  epochs?: number;
  /** Weight inheritance: the trial whose trained weights this one starts from. */
  parent?: number;
}

/**
 * A trial stopped at a rung (recorded as `trial-pruned` with that rung) was promoted: it continues from its saved
 * weights and optimizer state at epoch `fromEpoch`, up to `epochs` epochs in all.
 */
export interface TrialPromoted {
  type: 'trial-promoted';
  time: string;
  trial: number;
  rung: number;
  fromEpoch: number;
  epochs: number;
  worker: number;
  attempt: number;
}

/** A remote worker took the trial's current attempt from the run's queue (runs with `--queue`). */
export interface TrialAssigned {
  type: 'trial-assigned';
  time: string;
  trial: number;
  host: string;
  pid: number;
  /** The backend that worker trains on. */
  backend?: string;
}

/** The `nas-studio worker` processes serving a queue changed (runs with `--queue`). */
export interface WorkersChanged {
  type: 'workers';
  time: string;
  connected: number;
  /** Trials they can train at once: the sum of their `--concurrency`. */
  slots: number;
}

export interface EpochEnded {
  type: 'epoch';
  time: string;
  trial: number;
  epoch: number;
  metrics: EpochMetrics;
}

export interface TrialCompleted {
  type: 'trial-completed';
  time: string;
  trial: number;
  /** The objective: the metric at the trial's best epoch. */
  value: number;
  bestEpoch: number;
  metrics: EpochMetrics;
  epochs: number;
  params: number;
  durationMs: number;
  stopReason: StopReason;
  /** The rung where the trial ended (multi-fidelity runs). */
  rung?: number;
  /** Median milliseconds per batch of inference, when latency is an objective. */
  latencyMs?: number;
  /** Layers that started from the parent's weights (weight inheritance). */
  inheritedLayers?: number;
}

export interface TrialFailed {
  type: 'trial-failed';
  time: string;
  trial: number;
  error: string;
  durationMs: number;
  /** True when the trial will be tried again (its worker crashed and retries remain). */
  retry: boolean;
}

export interface TrialPruned {
  type: 'trial-pruned';
  time: string;
  trial: number;
  epoch: number;
  value: number;
  reason: string;
  params: number;
  durationMs: number;
  /** Multi-fidelity runs: the rung where the trial stopped; it may still be promoted while the run goes on. */
  rung?: number;
  inheritedLayers?: number;
}

/**
 * A kept trial scored on the test set (`dataset.test`) when the run ended: once per kept weights (new weights
 * after a resume are scored again). The search never sees these numbers.
 */
export interface TestEvaluated {
  type: 'test-evaluated';
  time: string;
  trial: number;
  samples: number;
  test_loss?: number;
  /** Classification only. */
  test_accuracy?: number;
  /** Why there is no score (unreadable test data, a model that would not load). */
  error?: string;
}

/**
 * The run's time budget ran out while the trial trained. It ends with its full epochs only (the epoch under way
 * is dropped, its metrics never existed) and ranks on them like a completed trial; it is not a completed trial:
 * `epochs` < `plannedEpochs` unless the cut came exactly at its end.
 */
export interface TrialCut {
  type: 'trial-cut';
  time: string;
  trial: number;
  reason: 'budget';
  /** Full epochs trained, over all its segments (multi-fidelity); `history` in RunState has them. */
  epochs: number;
  /** The epochs it was training to (its segment's target). */
  plannedEpochs: number;
  /** The objective at its best full epoch, and that epoch; absent (bestEpoch -1) when no epoch ended. */
  value?: number;
  bestEpoch: number;
  metrics?: EpochMetrics;
  /** Absent when the worker was killed before it could say (it did not answer the stop in time). */
  params?: number;
  durationMs: number;
  rung?: number;
  inheritedLayers?: number;
}

/** The trial's trained weights were saved in the run folder (top-k only) or removed when it left the top k. */
export interface WeightsChanged {
  type: 'weights';
  time: string;
  trial: number;
  saved: boolean;
}

/** Why a run ended: its trial budget, its time budget, a strategy with nothing left to try, a stop, an error. */
export type RunFinishReason = 'budget' | 'time' | 'exhausted' | 'stopped' | 'error';

export interface RunFinished {
  type: 'run-finished';
  time: string;
  reason: RunFinishReason;
  message?: string;
  best?: { trial: number; value: number };
}

/** A point of the Pareto front: a trial's objective values (raw units, in `objectives` order). */
export interface ParetoPoint {
  trial: number;
  values: number[];
  /** NSGA-II crowding distance within the front (Infinity at the extremes, written as null in JSON). */
  crowding: number | null;
}

/** How much a parameter mattered: its share of the variance of the objective (fANOVA main effect). */
export interface ParamImportance {
  param: string;
  label?: string;
  importance: number;
}

/** Results computed over the whole run, written just before `run-finished`. */
export interface RunAnalysis {
  type: 'analysis';
  time: string;
  objectives: Objective[];
  /** Non-dominated completed trials (with several objectives), best primary value first. */
  front?: ParetoPoint[];
  importance?: ParamImportance[];
  /** Epochs trained over the whole run, and how many trials were promoted (multi-fidelity). */
  epochs: number;
  promotions?: number;
}

export interface LogLine {
  type: 'log';
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type RunEvent =
  | RunStarted
  | TrialStarted
  | TrialPromoted
  | TrialAssigned
  | EpochEnded
  | TrialCompleted
  | TrialFailed
  | TrialPruned
  | TrialCut
  | WeightsChanged
  | TestEvaluated
  | WorkersChanged
  | RunAnalysis
  | RunFinished
  | LogLine
  | SupernetEpoch;

export function isRunEvent(v: unknown): v is RunEvent {
  if (!v || typeof v !== 'object') return false;
  const t = (v as { type?: unknown }).type;
  return (
    typeof t === 'string' &&
    [
      'run-started',
      'trial-started',
      'trial-promoted',
      'trial-assigned',
      'epoch',
      'trial-completed',
      'trial-failed',
      'trial-pruned',
      'trial-cut',
      'weights',
      'test-evaluated',
      'workers',
      'analysis',
      'run-finished',
      'log',
      'supernet-epoch',
    ].includes(t) &&
    typeof (v as { time?: unknown }).time === 'string'
  );
}

export function defaultDirection(metric: MetricName): Direction {
  return metric.endsWith('loss') ? 'minimize' : 'maximize';
}
