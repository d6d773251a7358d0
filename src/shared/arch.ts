// A sampled architecture: every parameter of the spec replaced by one value. The engine builds models from
// these, the journal stores them, and the panel draws them, so they are plain JSON.

export type ActivationName = 'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear';
export type Padding = 'same' | 'valid';

/** Where a concrete layer came from in the spec (a JSON path such as `architecture.layers[2].options[1]`). */
interface Sourced {
  source: string;
}

export type ConcreteLayer = Sourced &
  (
    | { type: 'dense'; units: number; activation: ActivationName }
    | { type: 'conv2d'; filters: number; kernelSize: number; strides: number; padding: Padding; activation: ActivationName }
    | {
        type: 'separableConv2d';
        filters: number;
        kernelSize: number;
        strides: number;
        padding: Padding;
        depthMultiplier: number;
        activation: ActivationName;
      }
    | {
        type: 'depthwiseConv2d';
        kernelSize: number;
        strides: number;
        padding: Padding;
        depthMultiplier: number;
        activation: ActivationName;
      }
    | { type: 'maxPooling2d' | 'averagePooling2d'; poolSize: number; strides: number; padding: Padding }
    | { type: 'globalAveragePooling2d' | 'batchNormalization' | 'flatten' }
    | { type: 'dropout'; rate: number }
    | { type: 'activation'; activation: ActivationName }
    | SequenceLayer
  );

export type RecurrentType = 'lstm' | 'gru' | 'simpleRnn';
export type TransformerActivation = ActivationName | 'gelu';

/** Layers over sequences `[steps, features]` (and the embedding that makes one from token ids). */
export type SequenceLayer =
  /** `inputDim` is the vocabulary size; left out, it comes from the data (text or token datasets). */
  | { type: 'embedding'; outputDim: number; inputDim?: number }
  | { type: RecurrentType; units: number; returnSequences: boolean; bidirectional: boolean; activation: ActivationName }
  | { type: 'conv1d'; filters: number; kernelSize: number; strides: number; dilationRate: number; padding: Padding; activation: ActivationName }
  | { type: 'maxPooling1d' | 'averagePooling1d'; poolSize: number; strides: number; padding: Padding }
  | { type: 'globalAveragePooling1d' | 'globalMaxPooling1d' | 'layerNormalization' }
  /** Self-attention encoder block; `keySize` left out is the model width divided by `heads`. */
  | {
      type: 'transformerEncoder';
      heads: number;
      keySize?: number;
      feedForward: number;
      dropout: number;
      activation: TransformerActivation;
      normFirst: boolean;
    }
  | { type: 'positionalEmbedding'; kind: 'learned' | 'sinusoidal' };

/** Keyed by the union, so the compiler rejects a sequence type missing here or one that is not in it. */
const SEQUENCE_TYPE_KEYS: Record<SequenceLayer['type'], true> = {
  embedding: true,
  lstm: true,
  gru: true,
  simpleRnn: true,
  conv1d: true,
  maxPooling1d: true,
  averagePooling1d: true,
  globalAveragePooling1d: true,
  globalMaxPooling1d: true,
  layerNormalization: true,
  transformerEncoder: true,
  positionalEmbedding: true,
};
/** Every sequence layer type, once (the builder routes them; the editor's tests cover each). */
export const SEQUENCE_LAYER_TYPES = Object.keys(SEQUENCE_TYPE_KEYS) as SequenceLayer['type'][];

export type LayerType = ConcreteLayer['type'];

export type CellOperation = 'none' | 'skip' | 'conv1x1' | 'conv3x3' | 'sepConv3x3' | 'avgPool3x3' | 'maxPool3x3';

/** One edge of a cell: node `from` feeds node `to` through `op` (from < to; node 0 is the cell input). */
export interface CellEdge {
  from: number;
  to: number;
  op: CellOperation;
}

export interface SequentialArch {
  kind: 'sequential';
  layers: ConcreteLayer[];
}

/** NAS-Bench-201 style: one cell, stacked `cells` times in each of `stages` stages. */
export interface CellArch {
  kind: 'cell';
  nodes: number;
  edges: CellEdge[];
  channels: number;
  cells: number;
  stages: number;
}

export type ConcreteArch = SequentialArch | CellArch;

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamax';

export interface ConcreteTraining {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  earlyStopping?: { monitor: 'val_loss' | 'val_accuracy'; patience: number; minDelta: number };
  timeLimitSeconds?: number;
}

/** A parameter value as chosen by a strategy: layer choices are option indices, optional layers booleans. */
export type ParamValue = number | string | boolean;
export type Assignment = Record<string, ParamValue>;

/** Everything a worker needs to train one candidate. */
export interface TrialConfig {
  arch: ConcreteArch;
  training: ConcreteTraining;
  /** The decisions that produced it, keyed by parameter name. */
  params: Assignment;
}
