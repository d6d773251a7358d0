// The small cell network the batch norm tests train: a 3-node cell (conv3x3, skip, conv1x1) of 4 channels in 2 stages.
import type * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src/engine/builder';

export function smallCellNet(inputShape: number[], classes: number, seed: number): tf.LayersModel {
  return buildModel(
    {
      kind: 'cell',
      nodes: 3,
      channels: 4,
      cells: 1,
      stages: 2,
      edges: [
        { from: 0, to: 1, op: 'conv3x3' },
        { from: 0, to: 2, op: 'skip' },
        { from: 1, to: 2, op: 'conv1x1' },
      ],
    },
    inputShape,
    classes,
    'classification',
    seed,
  );
}
