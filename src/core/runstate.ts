// The state of a run rebuilt from its journal: used to resume, to open a finished run in the panel, and to
// print summaries. Pure: feed it events in journal order.
import type { TrialConfig } from '../shared/arch';
import type { Direction, EpochMetrics, RunAnalysis, RunEvent, RunFinished, RunStarted, SupernetEpoch } from '../shared/events';
import { objectiveValues } from './objectives';
import type { FinishedTrial } from './strategies/strategy';

/** `cut`: the run's time budget ended it mid-training; it keeps its full epochs and ranks on them (TrialCut). */
export type TrialStatus = 'running' | 'completed' | 'failed' | 'pruned' | 'cut';

/**
 * A trial stopped at a rung of a multi-fidelity scheduler (ASHA, Hyperband): it waits for a promotion, and
 * once the run ends it is a model trained to that rung. The schedulers never prune, so a pruned trial with a
 * rung was paused there.
 */
export function isPaused(t: TrialState): boolean {
  return t.status === 'pruned' && t.rung !== undefined;
}

/**
 * Whether the trial's value ranks it for "best" and the kept top k: completed trials, trials the budget cut
 * (on their full epochs), and paused ones (on the epochs they reached; the best model a run trained may be one
 * that waited at a rung while the budget ran out). Pruned ones stopped for being worse, and do not.
 */
export function isRanked(t: TrialState): boolean {
  return (t.status === 'completed' || t.status === 'cut' || isPaused(t)) && t.value !== undefined && !Number.isNaN(t.value);
}

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
  /** Multi-fidelity runs: the rung of the current (or last) segment and the epochs it trains to in all. */
  rung?: number;
  segmentEpochs?: number;
  /** Times the trial was promoted to a higher rung. */
  promotions?: number;
  /** Weight inheritance: the trial it started from, and how many layers took its weights. */
  parent?: number;
  inheritedLayers?: number;
  latencyMs?: number;
  /**
   * The process training the current attempt: its host (a queue worker's, or the launch's machine for a forked
   * worker), its pid, its backend. `remote`: a queue worker took it (`trial-assigned`).
   */
  host?: string;
  remote?: boolean;
  pid?: number;
  backend?: string;
  /** Every objective's value (raw units), when the run has several objectives. */
  values?: number[];
  /** The kept weights' score on the test set, once the run ended; cleared when new weights are kept. */
  test?: TestScore;
  /** A trial cut by the budget: the epochs it was training to (it has `history.length` of them). */
  plannedEpochs?: number;
}

export interface TestScore {
  samples: number;
  loss?: number;
  accuracy?: number;
  error?: string;
}

export class RunState {
  started?: RunStarted;
  finished?: RunFinished;
  analysis?: RunAnalysis;
  readonly trials = new Map<number, TrialState>();
  /** Finished trials in the order the journal recorded them: what strategies see. */
  readonly order: FinishedTrial[] = [];
  /** Every run-started event: one per launch, resumes included. */
  readonly launches: RunStarted[] = [];
  /** `darts`: the supernet's epochs, in order (index = epoch); the last holds the alpha the trials come from. */
  readonly supernet: SupernetEpoch[] = [];
  /** Queue runs: the workers connected, as last reported. */
  workers?: { connected: number; slots: number };

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
        // An analysis describes the launch that wrote it; after a resume it is stale until the next one.
        this.analysis = undefined;
        break;
      case 'trial-started': {
        const prev = this.trials.get(e.trial);
        this.trials.set(e.trial, {
          trial: e.trial,
          config: e.config,
          status: 'running',
          attempts: (prev?.attempts ?? 0) + 1,
          history: [],
          hasWeights: prev?.hasWeights ?? false,
          startedAt: e.time,
          ...(e.rung !== undefined ? { rung: e.rung, segmentEpochs: e.epochs } : {}),
          ...(e.parent !== undefined ? { parent: e.parent } : {}),
          // A forked worker runs where the launch does; a queue trial has no pid until a worker takes it.
          ...(e.pid !== undefined ? { pid: e.pid, ...(this.started?.host ? { host: this.started.host } : {}) } : {}),
        });
        break;
      }
      case 'trial-assigned': {
        const t = this.trials.get(e.trial);
        if (t) Object.assign(t, { host: e.host, pid: e.pid, remote: true, ...(e.backend ? { backend: e.backend } : {}) });
        break;
      }
      case 'workers':
        this.workers = { connected: e.connected, slots: e.slots };
        break;
      case 'trial-promoted': {
        const t = this.trials.get(e.trial);
        // A retry (attempt > 1) replaces a segment that never ended; a first attempt needs a stopped trial.
        if (!t || (t.status === 'running' && e.attempt === 1)) break;
        // Epochs past the rung were from a segment that never ended (a crash): the promotion trains them again.
        t.history.length = Math.min(t.history.length, e.fromEpoch);
        t.status = 'running';
        t.rung = e.rung;
        t.segmentEpochs = e.epochs;
        t.attempts = e.attempt;
        t.promotions = (t.promotions ?? 0) + (e.attempt === 1 ? 1 : 0);
        t.endedAt = undefined;
        break;
      }
      case 'epoch': {
        const t = this.trials.get(e.trial);
        if (t) t.history[e.epoch] = e.metrics;
        break;
      }
      case 'trial-completed':
        this.end(
          e.trial,
          'completed',
          e.time,
          {
            value: e.value,
            params: e.params,
            durationMs: e.durationMs,
            reason: e.stopReason,
            ...optional({ rung: e.rung, latencyMs: e.latencyMs, inheritedLayers: e.inheritedLayers }),
          },
          e.metrics,
        );
        break;
      case 'trial-pruned':
        this.end(e.trial, 'pruned', e.time, {
          value: e.value,
          params: e.params,
          durationMs: e.durationMs,
          reason: e.reason,
          ...optional({ rung: e.rung, inheritedLayers: e.inheritedLayers }),
        });
        break;
      case 'trial-cut': {
        const t = this.trials.get(e.trial);
        // Only full epochs count; an epoch event past the cut (there should be none) must not make it look longer.
        if (t && t.status === 'running') t.history.length = Math.min(t.history.length, e.epochs);
        this.end(
          e.trial,
          'cut',
          e.time,
          {
            durationMs: e.durationMs,
            reason: e.reason,
            plannedEpochs: e.plannedEpochs,
            ...optional({ value: e.value, params: e.params, rung: e.rung, inheritedLayers: e.inheritedLayers }),
          },
          e.metrics,
        );
        break;
      }
      case 'trial-failed':
        if (e.retry) {
          const t = this.trials.get(e.trial);
          if (t) t.error = e.error;
        } else this.end(e.trial, 'failed', e.time, { error: e.error, durationMs: e.durationMs });
        break;
      case 'weights': {
        const t = this.trials.get(e.trial);
        if (t) t.hasWeights = e.saved;
        // A score belongs to the weights it was measured on.
        if (t && e.saved) delete t.test;
        break;
      }
      case 'test-evaluated': {
        const t = this.trials.get(e.trial);
        // JSON writes NaN (a model that outputs NaN on the test data) as null.
        const nan = (v: number | null | undefined) => (v === null ? NaN : v);
        if (t) t.test = { samples: e.samples, ...optional({ loss: nan(e.test_loss), accuracy: nan(e.test_accuracy), error: e.error }) };
        break;
      }
      case 'analysis':
        this.analysis = e;
        break;
      case 'run-finished':
        this.finished = e;
        break;
      case 'supernet-epoch':
        // A resumed search repeats no epoch, but a replayed journal line must not add one twice.
        this.supernet[e.epoch] = e;
        break;
      case 'log':
        break;
    }
  }

  private end(trial: number, status: Exclude<TrialStatus, 'running'>, time: string, extra: Partial<TrialState>, bestMetrics?: EpochMetrics) {
    const t = this.trials.get(trial);
    if (!t || t.status !== 'running') return; // a duplicate end (e.g. replayed) must not count twice
    // A promoted trial's time adds up over its segments.
    if (t.promotions && extra.durationMs !== undefined) extra.durationMs += t.durationMs ?? 0;
    Object.assign(t, extra, { status, endedAt: time });
    const objectives = this.started?.objectives;
    if (objectives && objectives.length > 1 && status !== 'failed') {
      t.values = objectiveValues(objectives, { metrics: bestMetrics ?? this.bestMetrics(t), params: t.params, latencyMs: t.latencyMs });
    }
    const entry: FinishedTrial = { trial, config: t.config, status, value: extra.value };
    if (t.values) entry.values = t.values;
    if (t.rung !== undefined) {
      entry.budget = t.history.length;
      entry.rung = t.rung;
    }
    this.order.push(entry);
  }

  /** The metrics of a trial's best epoch by the primary objective. */
  private bestMetrics(t: TrialState): EpochMetrics | undefined {
    const { metric, direction } = this.started?.objective ?? { metric: 'val_accuracy' as const, direction: 'maximize' as const };
    let best: EpochMetrics | undefined;
    for (const m of t.history) {
      const v = m?.[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const b = best?.[metric];
      if (b === undefined || (direction === 'maximize' ? v > b : v < b)) best = m;
    }
    return best;
  }

  /** Trials started but never finished: a crash or a stop interrupted them. */
  unfinished(): TrialState[] {
    return [...this.trials.values()].filter((t) => t.status === 'running').sort((a, b) => a.trial - b.trial);
  }

  /** Epochs trained over the run, counting each epoch once even when a crash made it run twice. */
  epochsTrained(): number {
    let n = 0;
    for (const t of this.trials.values()) n += t.history.filter((m) => m !== undefined).length;
    return n;
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
      if (!isRanked(t)) continue;
      if (!best || sign * (t.value as number) > sign * (best.value as number)) best = t;
    }
    return best;
  }

  /** Trials that rank (isRanked: completed, cut by the budget, paused at a rung), best first. */
  ranked(): TrialState[] {
    const sign = this.direction === 'maximize' ? 1 : -1;
    return [...this.trials.values()].filter(isRanked).sort((a, b) => sign * ((b.value as number) - (a.value as number)) || a.trial - b.trial);
  }

  counts() {
    let completed = 0;
    let failed = 0;
    let pruned = 0;
    let cut = 0;
    let running = 0;
    for (const t of this.trials.values()) {
      if (t.status === 'completed') completed++;
      else if (t.status === 'failed') failed++;
      else if (t.status === 'pruned') pruned++;
      else if (t.status === 'cut') cut++;
      else running++;
    }
    return { completed, failed, pruned, cut, running, done: completed + failed + pruned + cut };
  }
}

/** Only the defined fields, so optional event fields do not appear as `undefined` keys. */
function optional<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
