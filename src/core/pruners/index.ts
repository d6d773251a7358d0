import type { NasSpec } from '../../shared/spec';
import { PRUNER_DEFAULTS, SEARCH_DEFAULTS, TRAINING_DEFAULTS } from '../defaults';
import { domainOf, isParam } from '../params';
import { AshaPruner, AshaScheduler } from './asha';
import { MedianPruner } from './median';
import { NoPruner } from './none';
import type { Pruner } from './pruner';

export const PRUNER_NAMES = ['none', 'median', 'asha', 'hyperband'] as const;

export function createPruner(spec: NasSpec): Pruner {
  const p = spec.search?.pruner ?? {};
  const type: string = p.type ?? PRUNER_DEFAULTS.type;
  switch (type) {
    case 'median':
      return new MedianPruner(p.warmupEpochs ?? PRUNER_DEFAULTS.warmupEpochs, p.minTrials ?? PRUNER_DEFAULTS.minTrials);
    case 'none':
      return new NoPruner();
    case 'asha':
    case 'hyperband': {
      const scheduler = new AshaScheduler(
        p.minEpochs ?? PRUNER_DEFAULTS.minEpochs,
        p.reductionFactor ?? PRUNER_DEFAULTS.reductionFactor,
        maxEpochsOf(spec),
        type === 'hyperband',
        spec.search?.seed ?? SEARCH_DEFAULTS.seed,
      );
      return new AshaPruner(type, scheduler);
    }
    default:
      throw new Error(`unknown pruner "${type}": expected one of ${PRUNER_NAMES.join(', ')}`);
  }
}

/** The most epochs any trial of the space trains (training.epochs, or the top of its range). */
export function maxEpochsOf(spec: NasSpec): number {
  const e = spec.training?.epochs;
  if (e === undefined) return TRAINING_DEFAULTS.epochs;
  if (typeof e === 'number') return e;
  if (isParam(e)) {
    const d = domainOf(e);
    if (d.kind === 'choice') return Math.max(...(d.values as number[]));
    if (d.kind === 'int' || d.kind === 'float') return Math.floor(d.hi);
  }
  return TRAINING_DEFAULTS.epochs;
}

export type { Pruner };
export type { Promotion, RungTrial, Scheduler } from './pruner';
