// The objectives of a search: one training metric (the default), or several from `search.objectives`, which may
// also ask for the model's size (`params`) and inference latency (`latency`). Pruners, early stopping and the
// best epoch of a trial always use the primary objective: the first training metric listed.
import { defaultDirection, type Direction, type EpochMetrics, type MetricName, type Objective, type ObjectiveMetric } from '../shared/events';
import type { NasSpec } from '../shared/spec';

const TRAINING_METRICS: readonly string[] = ['val_accuracy', 'val_loss', 'accuracy', 'loss'];

export function isTrainingMetric(m: string): m is MetricName {
  return TRAINING_METRICS.includes(m);
}

export function objectiveDirection(metric: ObjectiveMetric): Direction {
  return isTrainingMetric(metric) ? defaultDirection(metric) : 'minimize';
}

/** The metric a trial is ranked by when the spec names none. */
export function defaultMetric(spec: NasSpec): MetricName {
  return spec.task?.type === 'regression' ? 'val_loss' : 'val_accuracy';
}

/** Every objective of the spec, in its order (never empty). */
export function objectivesOf(spec: NasSpec): Objective[] {
  const list = spec.search?.objectives;
  if (list?.length) return list.map((o) => ({ metric: o.metric, direction: o.direction ?? objectiveDirection(o.metric) }));
  const metric = (spec.search?.objective?.metric ?? defaultMetric(spec)) as MetricName;
  return [{ metric, direction: spec.search?.objective?.direction ?? defaultDirection(metric) }];
}

/** The training metric that picks a trial's best epoch and drives pruning. */
export function primaryObjective(spec: NasSpec): { metric: MetricName; direction: Direction } {
  const first = objectivesOf(spec).find((o) => isTrainingMetric(o.metric));
  if (first) return first as { metric: MetricName; direction: Direction };
  const metric = defaultMetric(spec);
  return { metric, direction: defaultDirection(metric) };
}

export interface Measured {
  /** Metrics of the trial's best epoch. */
  metrics?: EpochMetrics;
  params?: number;
  latencyMs?: number;
}

/** A trial's value for each objective, in raw units (NaN where not measured). */
export function objectiveValues(objectives: readonly Objective[], m: Measured): number[] {
  return objectives.map((o) => {
    const v = o.metric === 'params' ? m.params : o.metric === 'latency' ? m.latencyMs : m.metrics?.[o.metric];
    return typeof v === 'number' ? v : NaN;
  });
}

/** The index of the best epoch by `metric` (strictly better: ties keep the earlier epoch); -1 when none has it. */
export function bestEpochOf(history: readonly EpochMetrics[], metric: MetricName, direction: Direction): number {
  let best = -1;
  history.forEach((m, i) => {
    const v = m[metric];
    if (v === undefined || !Number.isFinite(v)) return;
    const bv = best < 0 ? undefined : history[best][metric];
    if (bv === undefined || (direction === 'maximize' ? v > bv : v < bv)) best = i;
  });
  return best;
}
