// The record of a trial cut by the run's time budget (a `trial-cut` event), built from what the worker reported
// when it stopped between batches, or, when it had to be killed, from the epochs the journal already holds.
import type { Direction, MetricName, TrialCut } from '../shared/events';
import type { TrialResult } from '../shared/protocol';
import type { TrialState } from '../core/runstate';
import { bestEpochOf } from '../core/objectives';

/** The epochs the trial's current segment was training to. */
export function plannedEpochs(t: TrialState): number {
  return t.segmentEpochs ?? t.config.training.epochs;
}

/** The worker stopped between batches and said what it had: its full epochs, their best, and its size. */
export function cutFromResult(t: TrialState, r: TrialResult['params'], time: string): TrialCut {
  const epochs = r.history.length;
  const best = r.bestEpoch >= 0 && r.bestEpoch < epochs ? r.bestEpoch : -1;
  return {
    type: 'trial-cut',
    time,
    trial: r.trial,
    reason: 'budget',
    epochs,
    plannedEpochs: plannedEpochs(t),
    ...(best >= 0 && r.value !== undefined && Number.isFinite(r.value) ? { value: r.value, metrics: r.history[best] } : {}),
    bestEpoch: best,
    ...(r.params > 0 ? { params: r.params } : {}),
    durationMs: r.durationMs,
    ...(t.rung !== undefined ? { rung: t.rung } : {}),
    ...(r.inherited ? { inheritedLayers: r.inherited.layers } : {}),
  };
}

/** The worker did not answer the stop in time and was killed: the journal's epochs are what the trial has. */
export function cutFromJournal(t: TrialState, metric: MetricName, direction: Direction, durationMs: number, time: string): TrialCut {
  const history = t.history.filter((m) => m !== undefined);
  const best = bestEpochOf(history, metric, direction);
  return {
    type: 'trial-cut',
    time,
    trial: t.trial,
    reason: 'budget',
    epochs: history.length,
    plannedEpochs: plannedEpochs(t),
    ...(best >= 0 ? { value: history[best][metric] as number, metrics: history[best] } : {}),
    bestEpoch: best,
    durationMs,
    ...(t.rung !== undefined ? { rung: t.rung } : {}),
  };
}
