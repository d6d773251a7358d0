import type { NasSpec } from '../../shared/spec';
import { PRUNER_DEFAULTS } from '../defaults';
import { MedianPruner } from './median';
import { NoPruner } from './none';
import type { Pruner } from './pruner';

export function createPruner(spec: NasSpec): Pruner {
  const p = spec.search?.pruner ?? {};
  switch (p.type ?? PRUNER_DEFAULTS.type) {
    case 'median':
      return new MedianPruner(p.warmupEpochs ?? PRUNER_DEFAULTS.warmupEpochs, p.minTrials ?? PRUNER_DEFAULTS.minTrials);
    case 'none':
      return new NoPruner();
  }
}

export type { Pruner };
