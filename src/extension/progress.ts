// Where a run stands, from its events: trials done out of the budget, the best so far and when it should end.
// The ETA uses this launch's pace only: a resumed run's earlier launches may have had other workers.
import type { MetricName, RunEvent, RunFinished } from '../shared/events';
import { RunState } from '../core/runstate';

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
  private launchStart?: number;
  private doneAtLaunch = 0;
  /** Wall time of earlier launches, which a time budget also counts. */
  private priorActiveMs = 0;
  private lastEventTime?: number;

  apply(e: RunEvent): void {
    const t = Date.parse(e.time);
    if (e.type === 'run-started') {
      if (this.launchStart !== undefined && this.lastEventTime !== undefined) this.priorActiveMs += this.lastEventTime - this.launchStart;
      this.launchStart = t;
      this.state.apply(e);
      this.doneAtLaunch = this.state.counts().done;
    } else this.state.apply(e);
    if (!Number.isNaN(t)) this.lastEventTime = t;
  }

  progress(now = Date.now()): RunProgress {
    const s = this.state;
    const c = s.counts();
    const total = s.started?.budget.trials ?? 0;
    const best = s.best();
    const out: RunProgress = { name: s.started?.name ?? 'search', done: c.done, total, running: c.running, finished: s.finished };
    if (best && s.started) out.best = { trial: best.trial, value: best.value as number, metric: s.started.objective.metric };
    if (!s.finished && this.launchStart !== undefined) {
      const elapsed = Math.max(0, now - this.launchStart);
      const doneNow = c.done - this.doneAtLaunch;
      if (doneNow > 0) out.etaMs = (elapsed / doneNow) * Math.max(0, total - c.done);
      const minutes = s.started?.budget.minutes;
      if (minutes !== undefined) {
        const left = Math.max(0, minutes * 60_000 - this.priorActiveMs - elapsed);
        out.etaMs = out.etaMs === undefined ? left : Math.min(out.etaMs, left);
      }
    }
    return out;
  }
}

/** 0:42, 12:05, 1:02:03. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A metric value in few characters: 0.9123, 12.35, 1.2e-5. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}
