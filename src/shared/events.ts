// Events of a run. The same objects are appended to the journal, printed by `nas-studio run --json`, and
// sent to the editor, so a panel can be rebuilt from a journal alone.
import type { TrialConfig } from './arch';

export interface EpochMetrics {
  loss: number;
  val_loss: number;
  accuracy?: number;
  val_accuracy?: number;
}

export type MetricName = keyof EpochMetrics;
export type Direction = 'maximize' | 'minimize';

export type StopReason = 'epochs' | 'early-stopping' | 'time-limit';

/** Sent by the orchestrator when a run starts or resumes. */
export interface RunStarted {
  type: 'run-started';
  time: string;
  runId: string;
  name: string;
  specHash: string;
  /** The spec file the run was started from (absolute). */
  specFile: string;
  backend: string;
  strategy: string;
  objective: { metric: MetricName; direction: Direction };
  budget: { trials: number; minutes?: number };
  parallel: number;
  resumed: boolean;
  inputShape: number[];
  outputs: number;
}

export interface TrialStarted {
  type: 'trial-started';
  time: string;
  trial: number;
  attempt: number;
  worker: number;
  config: TrialConfig;
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
}

/** The trial's trained weights were saved in the run folder (top-k only) or removed when it left the top k. */
export interface WeightsChanged {
  type: 'weights';
  time: string;
  trial: number;
  saved: boolean;
}

export interface RunFinished {
  type: 'run-finished';
  time: string;
  reason: 'budget' | 'time' | 'exhausted' | 'stopped' | 'error';
  message?: string;
  best?: { trial: number; value: number };
}

export interface LogLine {
  type: 'log';
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type RunEvent = RunStarted | TrialStarted | EpochEnded | TrialCompleted | TrialFailed | TrialPruned | WeightsChanged | RunFinished | LogLine;

export function isRunEvent(v: unknown): v is RunEvent {
  if (!v || typeof v !== 'object') return false;
  const t = (v as { type?: unknown }).type;
  return (
    typeof t === 'string' &&
    ['run-started', 'trial-started', 'epoch', 'trial-completed', 'trial-failed', 'trial-pruned', 'weights', 'run-finished', 'log'].includes(t) &&
    typeof (v as { time?: unknown }).time === 'string'
  );
}

export function defaultDirection(metric: MetricName): Direction {
  return metric.endsWith('loss') ? 'minimize' : 'maximize';
}
