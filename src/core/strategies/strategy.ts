// One interface for every search strategy. A strategy is a pure function of the seed, the trial index and
// the finished trials (in the order the journal recorded them), so a resumed run makes the same decisions
// as one that never stopped.
import type { TrialConfig } from '../../shared/arch';
import type { Direction, Objective } from '../../shared/events';
import type { NasSpec } from '../../shared/spec';

export interface FinishedTrial {
  trial: number;
  config: TrialConfig;
  /** `cut`: the run's time budget ended it; its value comes from fewer epochs than it was to train. */
  status: 'completed' | 'failed' | 'pruned' | 'cut';
  /** The (primary) objective value; absent for failed trials. */
  value?: number;
  /** Every objective's value in raw units, when the search has several objectives (`StrategyContext.objectives`). */
  values?: number[];
  /**
   * Multi-fidelity runs only: the epochs trained when this was reported, and the rung. Such a run reports a
   * trial once per rung it stops at, so the same trial may appear several times, at growing budgets.
   */
  budget?: number;
  rung?: number;
}

export interface StrategyContext {
  spec: NasSpec;
  seed: number;
  /** Direction of the primary objective (what `value` measures). */
  direction: Direction;
  /** Every objective, when there are several; `FinishedTrial.values` follow this order. */
  objectives?: Objective[];
  /**
   * Runs with a time budget: how many trials it holds, measured as the run goes (core/budgetFit), and what an
   * epoch of a config costs here (core/epochCost; undefined before any epoch was timed).
   */
  budget?: {
    trialsThatFit(): number | undefined;
    epochSeconds?(config: TrialConfig): number | undefined;
    /** Seconds left of the budget: a proposal whose epoch cannot end in them is avoided where another can. */
    secondsLeft?(): number | undefined;
  };
}

export interface Strategy {
  readonly name: string;
  /**
   * The configuration for trial `index` (0-based, in start order), given the trials finished so far.
   * Returns undefined when the space is exhausted (grid).
   */
  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig | undefined;
  /**
   * The most trials this strategy will ever ask for, when it knows that before the run (darts: the architectures it
   * derives). The run's trial count, which the CLI and the panel show progress against, is the smaller of this and
   * `budget.trials`.
   */
  plannedTrials?(): number;
  /** The trial whose weights trial `index` may start from (evolution's parent), after it was asked for. */
  parentOf?(index: number): number | undefined;
  /** Trials that later asks may still name as a parent, given the finished trials: their weights are worth keeping. */
  parentCandidates?(finished: readonly FinishedTrial[]): number[];
}

/** Higher is better, whatever the direction: strategies compare with this. */
export function score(t: FinishedTrial, direction: Direction): number {
  if (t.status === 'failed' || t.value === undefined || Number.isNaN(t.value)) return -Infinity;
  return direction === 'maximize' ? t.value : -t.value;
}

/** True when the context asks for more than one objective. */
export function isMultiObjective(ctx: StrategyContext): boolean {
  return (ctx.objectives?.length ?? 0) > 1;
}

/**
 * Every objective in "higher is better" form (for the Pareto helpers). A single-objective context gives [score].
 * Failed trials and unmeasured objectives give -Infinity, the worst.
 */
export function scoreVector(t: FinishedTrial, ctx: StrategyContext): number[] {
  if (!isMultiObjective(ctx)) return [score(t, ctx.direction)];
  const objectives = ctx.objectives!;
  if (t.status === 'failed' || !t.values) return objectives.map(() => -Infinity);
  return objectives.map((o, m) => {
    const v = t.values![m];
    if (v === undefined || Number.isNaN(v)) return -Infinity;
    return o.direction === 'maximize' ? v : -v;
  });
}

/**
 * Each trial once, as of its latest report, in the order of those reports. A multi-fidelity run reports a
 * trial again when a promotion ends, so this keeps the result at its largest budget.
 */
export function latestReports(finished: readonly FinishedTrial[]): FinishedTrial[] {
  const last = new Map<number, number>();
  finished.forEach((t, i) => last.set(t.trial, i));
  return finished.filter((t, i) => last.get(t.trial) === i);
}

/**
 * What a model-based strategy should learn from. Without budgets, each trial's latest report. In a
 * multi-fidelity run, values at different budgets are not comparable, so (as in BOHB) the observations are
 * the reports at the largest budget that has at least `min` of them; below that, the smallest budget's.
 */
export function comparableReports(finished: readonly FinishedTrial[], min: number): FinishedTrial[] {
  if (!finished.some((t) => t.budget !== undefined)) return latestReports(finished);
  const byBudget = new Map<number, Map<number, FinishedTrial>>();
  for (const t of finished) {
    const b = t.budget ?? 0;
    if (!byBudget.has(b)) byBudget.set(b, new Map());
    byBudget.get(b)!.set(t.trial, t);
  }
  const budgets = [...byBudget.keys()].sort((a, b) => b - a);
  const enough = budgets.find((b) => byBudget.get(b)!.size >= min) ?? budgets[budgets.length - 1];
  // Journal order within the level, as the reports arrived.
  const chosen = byBudget.get(enough)!;
  return finished.filter((t) => (t.budget ?? 0) === enough && chosen.get(t.trial) === t);
}
