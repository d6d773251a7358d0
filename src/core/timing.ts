// Elapsed time and ETA of a run, from its events alone. The CLI's live line, the status bar, the panel header
// and the orchestrator's time budget all take them from here, so they agree.
import type { RunEvent } from '../shared/events';
import type { RunState, TrialState } from './runstate';

/** One launch: a run, or a resume of it. Time between launches (a stopped run sitting on disk) does not count. */
export interface Span {
  start: number;
  last: number;
}

export class RunTiming {
  readonly spans: Span[] = [];
  /** Work done (see workDone) when the current launch began: its pace counts only what it did itself. */
  private workAtLaunch = 0;

  /** Feed every event in journal order, after `state` has applied it. */
  apply(e: RunEvent, state?: RunState): void {
    const t = Date.parse(e.time);
    if (!Number.isFinite(t)) return;
    if (e.type === 'run-started') {
      // Journals written before `launched` existed start the span when the first worker became ready.
      const launched = e.launched !== undefined ? Date.parse(e.launched) : NaN;
      const start = Number.isFinite(launched) && launched <= t ? launched : t;
      this.spans.push({ start, last: t });
      this.workAtLaunch = state ? workDone(state) : 0;
    } else if (this.spans.length) {
      const s = this.spans[this.spans.length - 1];
      s.last = Math.max(s.last, t);
    }
  }

  /** When the current launch began (ms since the epoch), if any did. */
  get launchStart(): number | undefined {
    return this.spans[this.spans.length - 1]?.start;
  }

  /** Active time over every launch; with `now`, the current launch counts up to it (a live run). */
  elapsedMs(now?: number): number {
    let ms = 0;
    this.spans.forEach((s, i) => {
      const end = now !== undefined && i === this.spans.length - 1 ? Math.max(now, s.last) : s.last;
      ms += end - s.start;
    });
    return ms;
  }

  /**
   * Time left: the trials still to do at the current launch's pace (running trials count by the share of
   * their epochs done, so there is a figure before the first trial ends), capped by what is left of a time
   * budget. Undefined while the pace is unknown and there is no time budget, and once the run finished.
   */
  etaMs(state: RunState, now: number): number | undefined {
    const cur = this.spans[this.spans.length - 1];
    if (!cur || state.finished || !state.started) return undefined;
    const work = workDone(state);
    const pace = work - this.workAtLaunch;
    const ms = Math.max(now, cur.last) - cur.start;
    let eta: number | undefined;
    if (pace > 1e-9 && ms > 0) eta = (Math.max(0, state.started.budget.trials - work) * ms) / pace;
    const minutes = state.started.budget.minutes;
    if (minutes !== undefined) {
      const left = Math.max(0, minutes * 60_000 - this.elapsedMs(now));
      eta = eta === undefined ? left : Math.min(eta, left);
    }
    return eta;
  }
}

/** Epochs a running trial's current segment trains to. */
export function plannedEpochs(t: TrialState): number {
  return Math.max(1, t.segmentEpochs ?? t.config.training.epochs);
}

/** Epochs a trial has trained (an epoch run twice after a crash counts once). */
export function epochsDone(t: TrialState): number {
  let n = 0;
  for (const h of t.history) if (h) n++;
  return n;
}

/** Trials ended, plus the share of its epochs each running trial has trained. */
export function workDone(state: RunState): number {
  let w = 0;
  for (const t of state.trials.values()) w += t.status === 'running' ? Math.min(1, epochsDone(t) / plannedEpochs(t)) : 1;
  return w;
}

/** Wall time a run was active over its launches, so a time budget holds across resumes. */
export function activeTime(events: Iterable<RunEvent>): number {
  const timing = new RunTiming();
  for (const e of events) timing.apply(e);
  return timing.elapsedMs();
}
