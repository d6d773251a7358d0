// One interface for every search strategy. A strategy is a pure function of the seed, the trial index and
// the finished trials (in the order the journal recorded them), so a resumed run makes the same decisions
// as one that never stopped.
import type { TrialConfig } from '../../shared/arch';
import type { Direction } from '../../shared/events';
import type { NasSpec } from '../../shared/spec';

export interface FinishedTrial {
  trial: number;
  config: TrialConfig;
  status: 'completed' | 'failed' | 'pruned';
  /** The objective value; absent for failed trials. */
  value?: number;
}

export interface StrategyContext {
  spec: NasSpec;
  seed: number;
  direction: Direction;
}

export interface Strategy {
  readonly name: string;
  /**
   * The configuration for trial `index` (0-based, in start order), given the trials finished so far.
   * Returns undefined when the space is exhausted (grid).
   */
  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig | undefined;
}

/** Higher is better, whatever the direction: strategies compare with this. */
export function score(t: FinishedTrial, direction: Direction): number {
  if (t.status === 'failed' || t.value === undefined || Number.isNaN(t.value)) return -Infinity;
  return direction === 'maximize' ? t.value : -t.value;
}
