// What a finished run adds up to, beyond its best trial: the Pareto front when there are several objectives,
// the importance of each parameter, and the epochs spent. The orchestrator writes it as an `analysis` event;
// the CLI and the panel read it from there (or compute it from any journal with analyzeRun).
import type { Objective, ParetoPoint, RunAnalysis } from '../shared/events';
import type { NasSpec } from '../shared/spec';
import { parameterImportance } from './importance';
import { crowdingDistance, nonDominatedSort, toMaximize } from './pareto';
import type { RunState } from './runstate';
import { listParams } from './space';
import { comparableReports, score } from './strategies/strategy';

/** Observations needed before importance means anything. */
export const MIN_IMPORTANCE_TRIALS = 8;

export function paretoOf(state: RunState, objectives: readonly Objective[]): ParetoPoint[] {
  const trials = [...state.trials.values()].filter((t) => t.status === 'completed' && t.values && t.values.length === objectives.length);
  const points = trials.map((t) =>
    toMaximize(
      t.values!,
      objectives.map((o) => o.direction),
    ),
  );
  const front = nonDominatedSort(points)[0] ?? [];
  const crowding = crowdingDistance(points, front);
  const sign = objectives[0].direction === 'maximize' ? 1 : -1;
  return front
    .map((i, k) => ({ trial: trials[i].trial, values: trials[i].values!, crowding: Number.isFinite(crowding[k]) ? crowding[k] : null }))
    .sort((a, b) => sign * (b.values[0] - a.values[0]) || a.trial - b.trial);
}

export function analyzeRun(state: RunState, spec: NasSpec, objectives: readonly Objective[], time = new Date().toISOString()): RunAnalysis {
  const out: RunAnalysis = { type: 'analysis', time, objectives: [...objectives], epochs: state.epochsTrained() };
  if (objectives.length > 1) out.front = paretoOf(state, objectives);
  const promotions = [...state.trials.values()].reduce((a, t) => a + (t.promotions ?? 0), 0);
  if (promotions) out.promotions = promotions;
  if (spec.search?.importance !== false) {
    // In a multi-fidelity run, values at different budgets do not compare: use the largest budget with enough.
    const direction = state.direction;
    const reports = comparableReports(state.order, MIN_IMPORTANCE_TRIALS).filter((t) => score(t, direction) > -Infinity);
    if (reports.length >= MIN_IMPORTANCE_TRIALS) {
      const imp = parameterImportance(
        listParams(spec),
        reports.map((t) => t.config),
        reports.map((t) => score(t, direction)),
        { seed: spec.search?.seed ?? 0 },
      );
      if (imp) out.importance = imp;
    }
  }
  return out;
}
