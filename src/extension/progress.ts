// Where a run stands, from its events: trials done out of the budget, the best so far and when it should end.
// Elapsed time and the ETA come from core/timing, as in the CLI and the panel.
import type { MetricName, RunEvent, RunFinished } from '../shared/events';
import { RunState } from '../core/runstate';
import { RunTiming } from '../core/timing';

export interface RunProgress {
  name: string;
  done: number;
  total: number;
  running: number;
  best?: { trial: number; value: number; metric: MetricName };
  /** Milliseconds left, when it can be told. */
  etaMs?: number;
  finished?: RunFinished;
}

export class ProgressTracker {
  readonly state = new RunState();
  readonly timing = new RunTiming();

  apply(e: RunEvent): void {
    this.state.apply(e);
    this.timing.apply(e, this.state);
  }

  progress(now = Date.now()): RunProgress {
    const s = this.state;
    const c = s.counts();
    const best = s.best();
    const out: RunProgress = {
      name: s.started?.name ?? 'search',
      done: c.done,
      total: s.started?.budget.trials ?? 0,
      running: c.running,
      finished: s.finished,
    };
    if (best && s.started) out.best = { trial: best.trial, value: best.value as number, metric: s.started.objective.metric };
    const eta = this.timing.etaMs(s, now);
    if (eta !== undefined) out.etaMs = eta;
    return out;
  }
}
