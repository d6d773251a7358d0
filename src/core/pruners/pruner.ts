// One interface for pruners: after each epoch of a trial, go on or stop it early.
import type { Direction } from '../../shared/events';

export interface Curve {
  trial: number;
  /** Objective value after each epoch (index = epoch). */
  values: number[];
  status: 'running' | 'completed' | 'failed' | 'pruned';
}

export interface PruneDecision {
  prune: boolean;
  reason?: string;
}

export interface Pruner {
  readonly name: string;
  /** `curves` holds every other trial's curve; `values` this trial's values up to `epoch`. */
  decide(trial: number, epoch: number, values: readonly number[], curves: readonly Curve[], direction: Direction): PruneDecision;
}
