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
  /** Adam step size of alpha (DARTS: 3e-4, betas 0.5 and 0.999). */
  alphaLearningRate: number;
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
