// The state of a run rebuilt from its journal: used to resume, to open a finished run in the panel, and to
// print summaries. Pure: feed it events in journal order.
import type { TrialConfig } from '../shared/arch';
import type { Direction, EpochMetrics, RunEvent, RunFinished, RunStarted } from '../shared/events';
import type { FinishedTrial } from './strategies/strategy';

export type TrialStatus = 'running' | 'completed' | 'failed' | 'pruned';

export interface TrialState {
  trial: number;
  config: TrialConfig;
  status: TrialStatus;
  attempts: number;
  history: EpochMetrics[];
  value?: number;
  params?: number;
  durationMs?: number;
  error?: string;
  reason?: string;
  hasWeights: boolean;
  startedAt: string;
  endedAt?: string;
}

export class RunState {
  started?: RunStarted;
  finished?: RunFinished;
  readonly trials = new Map<number, TrialState>();
  /** Finished trials in the order the journal recorded them: what strategies see. */
  readonly order: FinishedTrial[] = [];
  /** Every run-started event: one per launch, resumes included. */
  readonly launches: RunStarted[] = [];

  static from(events: Iterable<RunEvent>): RunState {
    const s = new RunState();
    for (const e of events) s.apply(e);
    return s;
  }

  get direction(): Direction {
    return this.started?.objective.direction ?? 'maximize';
  }

  apply(e: RunEvent): void {
    switch (e.type) {
      case 'run-started':
        this.started = e;
        this.launches.push(e);
        this.finished = undefined;
        break;
      case 'trial-started': {
        const prev = this.trials.get(e.trial);
        this.trials.set(e.trial, { trial: e.trial, config: e.config, status: 'running', attempts: (prev?.attempts ?? 0) + 1, history: [], hasWeights: prev?.hasWeights ?? false, startedAt: e.time });
        break;
      }
      case 'epoch': {
        const t = this.trials.get(e.trial);
        if (t) t.history[e.epoch] = e.metrics;
        break;
      }
      case 'trial-completed':
        this.end(e.trial, 'completed', e.time, { value: e.value, params: e.params, durationMs: e.durationMs, reason: e.stopReason });
        break;
      case 'trial-pruned':
        this.end(e.trial, 'pruned', e.time, { value: e.value, params: e.params, durationMs: e.durationMs, reason: e.reason });
        break;
      case 'trial-failed':
        if (e.retry) {
          const t = this.trials.get(e.trial);
          if (t) t.error = e.error;
        } else this.end(e.trial, 'failed', e.time, { error: e.error, durationMs: e.durationMs });
        break;
      case 'weights': {
        const t = this.trials.get(e.trial);
        if (t) t.hasWeights = e.saved;
        break;
      }
      case 'run-finished':
        this.finished = e;
        break;
      case 'log':
        break;
    }
  }

  private end(trial: number, status: Exclude<TrialStatus, 'running'>, time: string, extra: Partial<TrialState>) {
    const t = this.trials.get(trial);
    if (!t || t.status !== 'running') return; // a duplicate end (e.g. replayed) must not count twice
    Object.assign(t, extra, { status, endedAt: time });
    this.order.push({ trial, config: t.config, status, value: extra.value });
  }

  /** Trials started but never finished: a crash or a stop interrupted them. */
  unfinished(): TrialState[] {
    return [...this.trials.values()].filter((t) => t.status === 'running').sort((a, b) => a.trial - b.trial);
  }

  /** Next fresh trial index. */
  nextIndex(): number {
    let max = -1;
    for (const k of this.trials.keys()) max = Math.max(max, k);
    return max + 1;
  }

  best(): TrialState | undefined {
    let best: TrialState | undefined;
    const sign = this.direction === 'maximize' ? 1 : -1;
    for (const t of this.trials.values()) {
      if (t.status !== 'completed' || t.value === undefined || Number.isNaN(t.value)) continue;
      if (!best || sign * t.value > sign * (best.value as number)) best = t;
    }
    return best;
  }

  /** Completed trials, best first. */
  ranked(): TrialState[] {
    const sign = this.direction === 'maximize' ? 1 : -1;
    return [...this.trials.values()]
      .filter((t) => t.status === 'completed' && t.value !== undefined && !Number.isNaN(t.value))
      .sort((a, b) => sign * ((b.value as number) - (a.value as number)) || a.trial - b.trial);
  }

  counts() {
    let completed = 0;
    let failed = 0;
    let pruned = 0;
    let running = 0;
    for (const t of this.trials.values()) {
      if (t.status === 'completed') completed++;
      else if (t.status === 'failed') failed++;
      else if (t.status === 'pruned') pruned++;
      else running++;
    }
    return { completed, failed, pruned, running, done: completed + failed + pruned };
  }
}
