// The pruner named by a spec's `search.pruner.type`, from one table (as strategies/index.ts does for strategies).
import type { NasSpec } from '../../shared/spec';
import { PRUNER_DEFAULTS, SEARCH_DEFAULTS, TRAINING_DEFAULTS } from '../defaults';
import { domainOf, isParam } from '../params';
import { AshaPruner, AshaScheduler } from './asha';
import { hyperbandPruner } from './hyperband';
import { MedianPruner } from './median';
import { NoPruner } from './none';
import type { Pruner } from './pruner';

type PrunerSettings = NonNullable<NonNullable<NasSpec['search']>['pruner']>;

/** Rung settings shared by the multi-fidelity pruners. */
function rungs(spec: NasSpec, p: PrunerSettings) {
  return {
    minEpochs: p.minEpochs ?? PRUNER_DEFAULTS.minEpochs,
    eta: p.reductionFactor ?? PRUNER_DEFAULTS.reductionFactor,
    maxEpochs: maxEpochsOf(spec),
    seed: spec.search?.seed ?? SEARCH_DEFAULTS.seed,
  };
}

const PRUNERS: Record<string, (spec: NasSpec, p: PrunerSettings) => Pruner> = {
  none: () => new NoPruner(),
  median: (_spec, p) => new MedianPruner(p.warmupEpochs ?? PRUNER_DEFAULTS.warmupEpochs, p.minTrials ?? PRUNER_DEFAULTS.minTrials),
  asha: (spec, p) => {
    const r = rungs(spec, p);
    return new AshaPruner('asha', new AshaScheduler(r.minEpochs, r.eta, r.maxEpochs, r.seed));
  },
  hyperband: (spec, p) => {
    const r = rungs(spec, p);
    return hyperbandPruner(r.minEpochs, r.eta, r.maxEpochs, r.seed);
  },
};

export const PRUNER_NAMES = Object.keys(PRUNERS);

export function createPruner(spec: NasSpec): Pruner {
  const p = spec.search?.pruner ?? {};
  const type: string = p.type ?? PRUNER_DEFAULTS.type;
  // Own keys only: a spec saying "toString" must not reach Object.prototype.
  const make = Object.prototype.hasOwnProperty.call(PRUNERS, type) ? PRUNERS[type] : undefined;
  if (!make) throw new Error(`unknown pruner "${type}": expected one of ${PRUNER_NAMES.join(', ')}`);
  return make(spec, p);
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
