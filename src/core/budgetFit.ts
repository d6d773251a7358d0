// How many trials a wall-clock budget holds, measured from the run so far: what budget-aware strategies scale
// their phases by (TPE's random start-up). Pure, so the orchestrator and the tests compute it the same way.

export interface BudgetProgress {
  /** Trials that ended at least one segment (completed, paused at a rung, pruned, failed, cut). */
  ended: number;
  /** Trials training now. */
  running: number;
  /** Active time so far, and the whole budget. */
  elapsedMs: number;
  budgetMs: number;
}

/**
 * Trials the whole budget holds at the pace seen so far, or undefined before any trial ended (no pace yet).
 * A running trial counts as half done (on average it is), so the first ends do not make the pace look like a
 * single worker's.
 */
export function trialsThatFit(p: BudgetProgress): number | undefined {
  if (p.ended < 1 || p.elapsedMs <= 0 || p.budgetMs <= 0) return undefined;
  return ((p.ended + p.running / 2) * p.budgetMs) / p.elapsedMs;
}
