// The median stopping rule (Golovin et al. 2017, as in Optuna's MedianPruner): stop a trial whose best value
// so far is worse than the median of other trials' values at the same epoch.
import type { Direction } from '../../shared/events';
import type { Curve, PruneDecision, Pruner } from './pruner';

export class MedianPruner implements Pruner {
  readonly name = 'median';
  constructor(
    private readonly warmupEpochs: number,
    private readonly minTrials: number,
  ) {}

  decide(trial: number, epoch: number, values: readonly number[], curves: readonly Curve[], direction: Direction): PruneDecision {
    if (epoch < this.warmupEpochs) return { prune: false };
    const sign = direction === 'maximize' ? 1 : -1;
    const peers = curves
      .filter((c) => c.trial !== trial && c.status !== 'failed' && c.values.length > epoch)
      .map((c) => Math.max(...c.values.slice(0, epoch + 1).map((v) => sign * v)))
      .filter((v) => Number.isFinite(v));
    if (peers.length < this.minTrials) return { prune: false };
    peers.sort((a, b) => a - b);
    const mid = peers.length >> 1;
    const median = peers.length % 2 ? peers[mid] : (peers[mid - 1] + peers[mid]) / 2;
    const best = Math.max(...values.slice(0, epoch + 1).map((v) => sign * v));
    if (best < median) {
      return { prune: true, reason: `best ${fmt(sign * best)} by epoch ${epoch + 1} is worse than the median ${fmt(sign * median)} of ${peers.length} trials` };
    }
    return { prune: false };
  }
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
