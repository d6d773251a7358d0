// Defaults applied when a spec leaves a field out. The schema declares the same values as `default` (for hover
// and completion); test/unit/defaults.test.ts fails if the two drift apart.
import type { Search } from '../shared/spec';

export const LAYER_DEFAULTS = {
  dense: { activation: 'relu' },
  conv2d: { kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
  separableConv2d: { kernelSize: 3, strides: 1, padding: 'same', depthMultiplier: 1, activation: 'relu' },
  depthwiseConv2d: { kernelSize: 3, strides: 1, padding: 'same', depthMultiplier: 1, activation: 'relu' },
  maxPooling2d: { poolSize: 2, padding: 'same' },
  averagePooling2d: { poolSize: 2, padding: 'same' },
  block: { repeat: 1 },
  lstm: { returnSequences: false, bidirectional: false, activation: 'tanh' },
  gru: { returnSequences: false, bidirectional: false, activation: 'tanh' },
  simpleRnn: { returnSequences: false, bidirectional: false, activation: 'tanh' },
  conv1d: { kernelSize: 3, strides: 1, dilationRate: 1, padding: 'same', activation: 'relu' },
  maxPooling1d: { poolSize: 2, padding: 'same' },
  averagePooling1d: { poolSize: 2, padding: 'same' },
  transformerEncoder: { heads: 2, feedForward: 128, dropout: 0.1, activation: 'relu', normFirst: false },
  positionalEmbedding: { kind: 'learned' },
} as const;

/** Pooling layers whose `strides` default to their `poolSize`, as in Keras. */
export const POOLING_TYPES: ReadonlySet<string> = new Set(['maxPooling2d', 'averagePooling2d', 'maxPooling1d', 'averagePooling1d']);

export const CELL_DEFAULTS = {
  nodes: 4,
  operations: ['none', 'skip', 'conv1x1', 'conv3x3', 'avgPool3x3'],
  channels: 16,
  cells: 2,
  stages: 3,
} as const;

export const TRAINING_DEFAULTS = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  epochs: 3,
} as const;

export const EARLY_STOPPING_DEFAULTS = { monitor: 'val_loss', patience: 2, minDelta: 0 } as const;

export const SEARCH_DEFAULTS = {
  strategy: 'random',
  seed: 0,
  parallel: 'auto',
  retries: 1,
  keepTop: 5,
  importance: true,
} as const;

export const BUDGET_DEFAULTS = { trials: 20 } as const;
export const EVOLUTION_DEFAULTS = { population: 10, sampleSize: 3, inheritWeights: false } as const;
export const PRUNER_DEFAULTS = { type: 'none', warmupEpochs: 1, minTrials: 3, minEpochs: 1, reductionFactor: 3 } as const;
export const TPE_DEFAULTS = { startupTrials: 10, gamma: 0.15, candidates: 24 } as const;
/** One derived architecture is retrained; alpha's default step size depends on the search (shared/supernet.ts alphaRate). */
export const DARTS_DEFAULTS = { derive: 1 } as const;
/** The architectures darts derives and retrains: its trials, whatever `budget.trials` says (once, for run and estimate). */
export function dartsDerive(search: Search | undefined): number {
  return search?.darts?.derive ?? DARTS_DEFAULTS.derive;
}
export const REINFORCE_DEFAULTS = { learningRate: 0.3, baselineDecay: 0.8 } as const;
export const BACKBONE_DEFAULTS = { trainable: false } as const;
export const DATASET_DEFAULTS = {
  validationSplit: 0.2,
  synthetic: { generator: 'shapes', samples: 2000, features: 8, imageSize: 16, steps: 32, noise: 0.1, seed: 1 },
  csv: { header: true, delimiter: ',', horizon: 0, stride: 1, vocabularySize: 10000, lowercase: true },
} as const;

/** Deepest repeat the checker accepts: deeper stacks are not practical networks, and analysis unrolls them. */
export const MAX_REPEAT = 64;
