// The DARTS supernet as every side sees it: what the checker derives from a spec, what a worker trains, and
// the architecture weights (alpha) that the journal and the panel show. Plain JSON.
import type { CellOperation, ConcreteLayer, ConcreteTraining } from './arch';

/** One mixed operation: a cell edge or a layer choice, with its candidates in the spec's order. */
export interface MixedChoice {
  /** The parameter this choice decides (`architecture.edge[0->1]`, `architecture.layers[2].option`). */
  name: string;
  /** What a person reads: `edge 0->1`, `layers[2]`. */
  label: string;
  /** The candidates' names (operations, or option layer types). */
  ops: string[];
}

/** A cell space as a supernet: every edge of the cell carries every operation. Alpha is shared by all cells. */
export interface CellSupernet {
  kind: 'cell';
  nodes: number;
  channels: number;
  cells: number;
  stages: number;
  operations: CellOperation[];
  /** One per edge, in cellEdgeList order. */
  edges: (MixedChoice & { from: number; to: number })[];
}

/** One position of a sequential supernet: fixed layers, or a choice whose options are mixed. */
export type SupernetPosition = { kind: 'fixed'; layers: ConcreteLayer[] } | (MixedChoice & { kind: 'mixed'; options: ConcreteLayer[][] });

export interface SequentialSupernet {
  kind: 'sequential';
  positions: SupernetPosition[];
}

export type SupernetSpace = CellSupernet | SequentialSupernet;

/** Everything a worker needs to train a supernet. */
export interface SupernetConfig {
  space: SupernetSpace;
  /** The network weights' optimizer, learning rate and batch size come from here; `epochs` is the supernet's. */
  training: ConcreteTraining;
  /** Adam step size of alpha (betas 0.5 and 0.999); unset: scaled to the search's length (alphaRate). */
  alphaLearningRate?: number;
}

/** DARTS' alpha steps: Adam 3e-4 for 50 epochs of 391 batches (half of CIFAR-10's training set, batch 64). */
const DARTS_ALPHA = { rate: 3e-4, steps: 50 * 391 };
/** The largest default: measured on examples/cells.nas.json, 19 steps of 0.1 moved the leading weights from 0.20 to 0.4-0.6. */
const MAX_DEFAULT_ALPHA_RATE = 0.1;

/**
 * Alpha's step size: the spec's, else DARTS' 3e-4 scaled so that the search's steps can move alpha as far as
 * DARTS' 20,000 steps do (Adam moves a parameter about one step size per step). With 3e-4, a search of a few
 * hundred steps left every softmax weight at 0.20 +- 0.01 and the derivation followed noise.
 */
export function alphaRate(config: SupernetConfig, trainSamples: number): number {
  if (config.alphaLearningRate !== undefined) return config.alphaLearningRate;
  const steps = Math.max(1, config.training.epochs * Math.ceil(trainSamples / config.training.batchSize));
  return Math.min(MAX_DEFAULT_ALPHA_RATE, Math.max(DARTS_ALPHA.rate, (DARTS_ALPHA.rate * DARTS_ALPHA.steps) / steps));
}

/** Softmax(alpha) of every mixed choice, in the space's order: one row per edge or choice. */
export interface AlphaRow {
  name: string;
  label: string;
  ops: string[];
  weights: number[];
}

/** The mixed choices of a space, in order. */
export function mixedChoices(space: SupernetSpace): MixedChoice[] {
  return space.kind === 'cell' ? space.edges : space.positions.filter((p): p is Extract<SupernetPosition, { kind: 'mixed' }> => p.kind === 'mixed');
}
