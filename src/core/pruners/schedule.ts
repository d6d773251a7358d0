// The glue between a run's state and a multi-fidelity scheduler, shared by the orchestrator and the tests'
// simulated runs so both make decisions the same way.
import type { TrialConfig } from '../../shared/arch';
import type { Direction, MetricName } from '../../shared/events';
import type { TrialState } from '../runstate';
import type { Promotion, RungTrial, Scheduler } from './pruner';

/** Every trial as the scheduler sees it: a trial stopped at a rung is `paused`, and may be promoted. */
export function rungTrials(trials: Iterable<TrialState>, metric: MetricName, direction: Direction): RungTrial[] {
  const sign = direction === 'maximize' ? 1 : -1;
  const out: RungTrial[] = [];
  for (const t of trials) {
    out.push({
      trial: t.trial,
      maxEpochs: t.config.training.epochs,
      scores: t.history.map((m) => {
        const v = m?.[metric];
        return typeof v === 'number' && Number.isFinite(v) ? sign * v : NaN;
      }),
      state: t.status === 'running' ? 'running' : t.status === 'pruned' && t.rung !== undefined ? 'paused' : 'done',
    });
  }
  return out;
}

export function nextPromotion(
  s: Scheduler,
  trials: Iterable<TrialState>,
  metric: MetricName,
  direction: Direction,
  fits?: (p: Promotion) => boolean,
): Promotion | undefined {
  return s.promotion(rungTrials(trials, metric, direction), fits);
}

/** A new trial's first segment: rung 0, to the epochs of its first rung. */
export function firstSegment(s: Scheduler, trial: number, config: TrialConfig): { rung: number; epochs: number } {
  return { rung: 0, epochs: s.rungs(trial, config.training.epochs)[0] };
}

/** Epochs (in all) at the start of rung `rung` of a trial: where a promotion to it continues from. */
export function rungStart(s: Scheduler, trial: number, config: TrialConfig, rung: number): number {
  return rung <= 0 ? 0 : s.rungs(trial, config.training.epochs)[rung - 1];
}

/**
 * Whether a segment that trained all its planned epochs stopped at a rung short of the trial's full budget
 * (it then waits for a promotion) rather than finishing the trial.
 */
export function stopsAtRung(s: Scheduler, trial: number, config: TrialConfig, epochs: number): boolean {
  const r = s.rungs(trial, config.training.epochs);
  return epochs < config.training.epochs && r.includes(epochs);
}
