/* Generated from schemas/nas.schema.json by scripts/gen-types.mjs. Do not edit: edit the schema and run `npm run gen`. */

/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "dataset".
 */
export type Dataset = {
  source: 'synthetic' | 'idx' | 'csv';
} & Dataset1;
export type Dataset1 = SyntheticDataset | IdxDataset | CsvDataset;
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "architecture".
 */
export type Architecture = {
  type: 'sequential' | 'cell';
} & Architecture1;
export type Architecture1 = SequentialArchitecture | CellArchitecture;
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "element".
 */
export type Element = {
  type:
    | 'dense'
    | 'conv2d'
    | 'separableConv2d'
    | 'depthwiseConv2d'
    | 'maxPooling2d'
    | 'averagePooling2d'
    | 'globalAveragePooling2d'
    | 'batchNormalization'
    | 'dropout'
    | 'flatten'
    | 'activation'
    | 'block'
    | 'choice'
    | 'embedding'
    | 'lstm'
    | 'gru'
    | 'simpleRnn'
    | 'conv1d'
    | 'maxPooling1d'
    | 'averagePooling1d'
    | 'globalAveragePooling1d'
    | 'globalMaxPooling1d'
    | 'layerNormalization'
    | 'transformerEncoder'
    | 'positionalEmbedding';
} & Element1;
export type Element1 =
  | Dense
  | Conv2D
  | SeparableConv2D
  | DepthwiseConv2D
  | MaxPooling2D
  | AveragePooling2D
  | GlobalAveragePooling2D
  | BatchNormalization
  | Dropout
  | Flatten
  | Activation
  | Block
  | Choice
  | Embedding
  | Lstm
  | Gru
  | SimpleRnn
  | Conv1D
  | MaxPooling1D
  | AveragePooling1D
  | GlobalAveragePooling1D
  | GlobalMaxPooling1D
  | LayerNormalization
  | TransformerEncoder
  | PositionalEmbedding;
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "paramName".
 */
export type ParamName = string;

export interface NasSpec {
  $schema?: string;
  name?: string;
  description?: string;
  dataset: Dataset;
  task?: Task;
  architecture: Architecture;
  training?: Training;
  search?: Search;
}
export interface SyntheticDataset {
  source: 'synthetic';
  generator?: 'shapes' | 'blobs' | 'pattern';
  samples?: number;
  classes?: number;
  features?: number;
  imageSize?: number;
  steps?: number;
  noise?: number;
  seed?: number;
  validationSplit?: number;
  normalize?: 'scale' | 'standardize' | 'none';
  subset?: number;
  test?: TestFraction;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "testFraction".
 */
export interface TestFraction {
  fraction: number;
}
export interface IdxDataset {
  source: 'idx';
  images: string;
  labels: string;
  validationSplit?: number;
  normalize?: 'scale' | 'standardize' | 'none';
  subset?: number;
  test?: TestFraction | IdxTestSet;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "idxTestSet".
 */
export interface IdxTestSet {
  images: string;
  labels: string;
}
export interface CsvDataset {
  source: 'csv';
  path: string;
  label?: string | number;
  header?: boolean;
  delimiter?: string;
  window?: number;
  horizon?: number;
  stride?: number;
  /**
   * @minItems 1
   */
  columns?: [string | number, ...(string | number)[]];
  text?: string | number;
  maxLength?: number;
  vocabularySize?: number;
  lowercase?: boolean;
  validationSplit?: number;
  normalize?: 'scale' | 'standardize' | 'none';
  subset?: number;
  test?: TestFraction | CsvTestSet;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "csvTestSet".
 */
export interface CsvTestSet {
  path: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "task".
 */
export interface Task {
  type?: 'classification' | 'regression';
  classes?: number;
  /**
   * @minItems 1
   * @maxItems 3
   */
  inputShape?: [number] | [number, number] | [number, number, number];
}
export interface SequentialArchitecture {
  type: 'sequential';
  /**
   * @minItems 1
   */
  layers: [Element, ...Element[]];
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "denseLayer".
 */
export interface Dense {
  type: 'dense';
  units: number | ChoiceParameter | IntParameter;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter1;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "intParam".
 */
export interface IntParameter {
  /**
   * @minItems 2
   * @maxItems 2
   */
  int: [number, number];
  step?: number;
  log?: boolean;
  name?: ParamName;
}
export interface ChoiceParameter1 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "conv2dLayer".
 */
export interface Conv2D {
  type: 'conv2d';
  filters: number | ChoiceParameter2 | IntParameter;
  kernelSize?: number | ChoiceParameter3 | IntParameter;
  strides?: number | ChoiceParameter4 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter5;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter6;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter2 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter3 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter4 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter5 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
export interface ChoiceParameter6 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "separableConv2dLayer".
 */
export interface SeparableConv2D {
  type: 'separableConv2d';
  filters: number | ChoiceParameter7 | IntParameter;
  kernelSize?: number | ChoiceParameter8 | IntParameter;
  strides?: number | ChoiceParameter9 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter10;
  depthMultiplier?: number | ChoiceParameter11 | IntParameter;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter12;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter7 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter8 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter9 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter10 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
export interface ChoiceParameter11 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter12 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "depthwiseConv2dLayer".
 */
export interface DepthwiseConv2D {
  type: 'depthwiseConv2d';
  kernelSize?: number | ChoiceParameter13 | IntParameter;
  strides?: number | ChoiceParameter14 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter15;
  depthMultiplier?: number | ChoiceParameter16 | IntParameter;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter17;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter13 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter14 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter15 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
export interface ChoiceParameter16 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter17 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "maxPooling2dLayer".
 */
export interface MaxPooling2D {
  type: 'maxPooling2d';
  poolSize?: number | ChoiceParameter18 | IntParameter;
  strides?: number | ChoiceParameter19 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter20;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter18 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter19 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter20 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "averagePooling2dLayer".
 */
export interface AveragePooling2D {
  type: 'averagePooling2d';
  poolSize?: number | ChoiceParameter21 | IntParameter;
  strides?: number | ChoiceParameter22 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter23;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter21 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter22 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter23 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "globalAveragePooling2dLayer".
 */
export interface GlobalAveragePooling2D {
  type: 'globalAveragePooling2d';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "batchNormalizationLayer".
 */
export interface BatchNormalization {
  type: 'batchNormalization';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "dropoutLayer".
 */
export interface Dropout {
  type: 'dropout';
  rate: number | ChoiceParameter24 | FloatParameter;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter24 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "floatParam".
 */
export interface FloatParameter {
  /**
   * @minItems 2
   * @maxItems 2
   */
  float: [number, number];
  step?: number;
  log?: boolean;
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "flattenLayer".
 */
export interface Flatten {
  type: 'flatten';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "activationLayer".
 */
export interface Activation {
  type: 'activation';
  activation:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter25;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter25 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "blockLayer".
 */
export interface Block {
  type: 'block';
  /**
   * @minItems 1
   */
  layers: [Element, ...Element[]];
  repeat?: number | ChoiceParameter26 | IntParameter1;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter26 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "intParam0".
 */
export interface IntParameter1 {
  /**
   * @minItems 2
   * @maxItems 2
   */
  int: [number, number];
  step?: number;
  log?: boolean;
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "choiceLayer".
 */
export interface Choice {
  type: 'choice';
  /**
   * @minItems 1
   */
  options: [Element, ...Element[]];
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "embeddingLayer".
 */
export interface Embedding {
  type: 'embedding';
  outputDim: number | ChoiceParameter27 | IntParameter;
  inputDim?: number | ChoiceParameter28 | IntParameter;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter27 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter28 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "lstmLayer".
 */
export interface Lstm {
  type: 'lstm';
  units: number | ChoiceParameter29 | IntParameter;
  returnSequences?: boolean | ChoiceParameter30;
  bidirectional?: boolean | ChoiceParameter31;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter32;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter29 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter30 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter31 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter32 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "gruLayer".
 */
export interface Gru {
  type: 'gru';
  units: number | ChoiceParameter33 | IntParameter;
  returnSequences?: boolean | ChoiceParameter34;
  bidirectional?: boolean | ChoiceParameter35;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter36;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter33 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter34 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter35 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter36 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "simpleRnnLayer".
 */
export interface SimpleRnn {
  type: 'simpleRnn';
  units: number | ChoiceParameter37 | IntParameter;
  returnSequences?: boolean | ChoiceParameter38;
  bidirectional?: boolean | ChoiceParameter39;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter40;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter37 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter38 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter39 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
export interface ChoiceParameter40 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "conv1dLayer".
 */
export interface Conv1D {
  type: 'conv1d';
  filters: number | ChoiceParameter41 | IntParameter;
  kernelSize?: number | ChoiceParameter42 | IntParameter;
  strides?: number | ChoiceParameter43 | IntParameter;
  dilationRate?: number | ChoiceParameter44 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter45;
  activation?:
    ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear') | ChoiceParameter46;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter41 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter42 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter43 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter44 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter45 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
export interface ChoiceParameter46 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear')[]
  ];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "maxPooling1dLayer".
 */
export interface MaxPooling1D {
  type: 'maxPooling1d';
  poolSize?: number | ChoiceParameter47 | IntParameter;
  strides?: number | ChoiceParameter48 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter49;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter47 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter48 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter49 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "averagePooling1dLayer".
 */
export interface AveragePooling1D {
  type: 'averagePooling1d';
  poolSize?: number | ChoiceParameter50 | IntParameter;
  strides?: number | ChoiceParameter51 | IntParameter;
  padding?: ('same' | 'valid') | ChoiceParameter52;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter50 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter51 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter52 {
  /**
   * @minItems 1
   */
  choice: ['same' | 'valid', ...('same' | 'valid')[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "globalAveragePooling1dLayer".
 */
export interface GlobalAveragePooling1D {
  type: 'globalAveragePooling1d';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "globalMaxPooling1dLayer".
 */
export interface GlobalMaxPooling1D {
  type: 'globalMaxPooling1d';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "layerNormalizationLayer".
 */
export interface LayerNormalization {
  type: 'layerNormalization';
  optional?: boolean;
  name?: string;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "transformerEncoderLayer".
 */
export interface TransformerEncoder {
  type: 'transformerEncoder';
  heads?: number | ChoiceParameter53 | IntParameter;
  keySize?: number | ChoiceParameter54 | IntParameter;
  feedForward?: number | ChoiceParameter55 | IntParameter;
  dropout?: number | ChoiceParameter56 | FloatParameter;
  activation?:
    | ('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear' | 'gelu')
    | ChoiceParameter57;
  normFirst?: boolean | ChoiceParameter58;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter53 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter54 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter55 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter56 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter57 {
  /**
   * @minItems 1
   */
  choice: [
    'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear' | 'gelu',
    ...('relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'softplus' | 'linear' | 'gelu')[]
  ];
  name?: ParamName;
}
export interface ChoiceParameter58 {
  /**
   * @minItems 1
   */
  choice: [boolean, ...boolean[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "positionalEmbeddingLayer".
 */
export interface PositionalEmbedding {
  type: 'positionalEmbedding';
  kind?: ('learned' | 'sinusoidal') | ChoiceParameter59;
  optional?: boolean;
  name?: string;
}
export interface ChoiceParameter59 {
  /**
   * @minItems 1
   */
  choice: ['learned' | 'sinusoidal', ...('learned' | 'sinusoidal')[]];
  name?: ParamName;
}
export interface CellArchitecture {
  type: 'cell';
  nodes?: number;
  /**
   * @minItems 1
   */
  operations?: [
    'none' | 'skip' | 'conv1x1' | 'conv3x3' | 'sepConv3x3' | 'avgPool3x3' | 'maxPool3x3',
    ...('none' | 'skip' | 'conv1x1' | 'conv3x3' | 'sepConv3x3' | 'avgPool3x3' | 'maxPool3x3')[]
  ];
  channels?: number | ChoiceParameter60 | IntParameter;
  cells?: number | ChoiceParameter61 | IntParameter;
  stages?: number | ChoiceParameter62 | IntParameter;
}
export interface ChoiceParameter60 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter61 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter62 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "training".
 */
export interface Training {
  optimizer?: ('adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamax') | ChoiceParameter63;
  learningRate?: number | ChoiceParameter64 | FloatParameter;
  batchSize?: number | ChoiceParameter65 | IntParameter;
  epochs?: number | ChoiceParameter66 | IntParameter;
  earlyStopping?: {
    monitor?: 'val_loss' | 'val_accuracy';
    patience?: number;
    minDelta?: number;
  };
  timeLimitSeconds?: number;
  backbone?: {
    path: string;
    trainable?: boolean;
    outputLayer?: string;
  };
}
export interface ChoiceParameter63 {
  /**
   * @minItems 1
   */
  choice: ['adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamax', ...('adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamax')[]];
  name?: ParamName;
}
export interface ChoiceParameter64 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter65 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
export interface ChoiceParameter66 {
  /**
   * @minItems 1
   */
  choice: [number, ...number[]];
  name?: ParamName;
}
/**
 * This interface was referenced by `NasSpec`'s JSON-Schema
 * via the `definition` "search".
 */
export interface Search {
  strategy?: 'random' | 'grid' | 'evolution' | 'tpe' | 'reinforce' | 'darts';
  objective?: {
    metric?: 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss';
    direction?: 'maximize' | 'minimize';
  };
  /**
   * @minItems 1
   */
  objectives?: [
    {
      metric: 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss' | 'params' | 'latency';
      direction?: 'maximize' | 'minimize';
    },
    ...{
      metric: 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss' | 'params' | 'latency';
      direction?: 'maximize' | 'minimize';
    }[]
  ];
  budget?: {
    trials?: number;
    minutes?: number;
  };
  parallel?: number | 'auto';
  seed?: number;
  pruner?: {
    type?: 'none' | 'median' | 'asha' | 'hyperband';
    warmupEpochs?: number;
    minTrials?: number;
    minEpochs?: number;
    reductionFactor?: number;
  };
  evolution?: {
    population?: number;
    sampleSize?: number;
    inheritWeights?: boolean;
  };
  tpe?: {
    startupTrials?: number;
    gamma?: number;
    candidates?: number;
  };
  reinforce?: {
    learningRate?: number;
    baselineDecay?: number;
  };
  darts?: {
    epochs?: number;
    alphaLearningRate?: number;
    batchSize?: number;
    derive?: number;
  };
  retries?: number;
  queue?: string;
  keepTop?: number;
  importance?: boolean;
}
