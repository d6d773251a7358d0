// One interface for pruners: after each epoch of a trial, go on or stop it early. Multi-fidelity pruners
// (asha, hyperband) also carry a scheduler: trials then train in segments that end at rungs, and the scheduler
// picks which stopped trial continues (is promoted) to the next rung, from its saved weights.
import type { Direction } from '../../shared/events';

export interface Curve {
  trial: number;
  /** Objective value after each epoch (index = epoch). */
  values: number[];
  status: 'running' | 'completed' | 'failed' | 'pruned' | 'cut';
}

export interface PruneDecision {
  prune: boolean;
  reason?: string;
}

export interface Pruner {
  readonly name: string;
  /** `curves` holds every other trial's curve; `values` this trial's values up to `epoch`. */
  decide(trial: number, epoch: number, values: readonly number[], curves: readonly Curve[], direction: Direction): PruneDecision;
  /** Present for multi-fidelity pruners. */
  readonly scheduler?: Scheduler;
  /**
   * True when `decide` never prunes (none; asha and hyperband stop trials at rungs instead): a queue worker then
   * answers each epoch itself rather than wait for the orchestrator's decision through Redis.
   */
  readonly alwaysContinues?: boolean;
}

/** A trial as a multi-fidelity scheduler sees it. */
export interface RungTrial {
  trial: number;
  /** Its full budget: the config's training.epochs. */
  maxEpochs: number;
  /** The objective after each finished epoch, higher is better (NaN where missing). */
  scores: readonly number[];
  /** running: training a segment; paused: stopped at the end of a rung, promotable; done: completed or failed. */
  state: 'running' | 'paused' | 'done';
}

export interface Promotion {
  trial: number;
  /** The rung it is promoted to, and the epochs (in all) it trains to there. */
  rung: number;
  epochs: number;
  /** Epochs it has already (where it continues from). */
  fromEpoch: number;
}

export interface Scheduler {
  /** The reduction factor η. */
  readonly eta: number;
  /** Hyperband bracket of a trial (0 for ASHA): brackets differ in the epochs of their first rung. */
  bracketOf(trial: number): number;
  /** Epochs (in all) at the end of each rung for this trial; the last one is its maxEpochs. */
  rungs(trial: number, maxEpochs: number): number[];
  /**
   * The promotion to run next, if any. A pure function of `trials` (and `fits`), so a resumed run decides the same.
   * `fits`: only promotions it accepts (a time budget: those whose next epoch can end before it does).
   */
  promotion(trials: readonly RungTrial[], fits?: (p: Promotion) => boolean): Promotion | undefined;
}
