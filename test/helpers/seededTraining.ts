// Replay tests train one model twice and compare the losses bitwise: the blob data as tensors, and the losses of a
// model built from fixed weights and trained under a given seed.
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch, ConcreteTraining } from '../../src/shared/arch';
import { buildModel } from '../../src/engine/builder';
import { train, type TrainData } from '../../src/engine/trainer';
import { blobs } from './data';

/** The three 4-D blobs of data.ts: `nTrain` rows drawn with seed 1, `nVal` with seed 2. The caller disposes them. */
export function blobTensors(nTrain: number, nVal: number, spread: number): TrainData {
  const [t, v] = [blobs(nTrain, 1, { spread }), blobs(nVal, 2, { spread })];
  return { trainX: tf.tensor2d(t.x), trainY: tf.tensor2d(t.y), valX: tf.tensor2d(v.x), valY: tf.tensor2d(v.y) };
}

/** The per-epoch training losses of `arch` (three classes, initial weights seeded 5) trained with `seed`. */
export async function seededLosses(arch: ConcreteArch, training: ConcreteTraining, data: TrainData, seed: number): Promise<number[]> {
  const model = buildModel(arch, [4], 3, 'classification', 5);
  try {
    return (await train(model, data, training, { seed })).history.map((m) => m.loss);
  } finally {
    model.dispose();
  }
}
