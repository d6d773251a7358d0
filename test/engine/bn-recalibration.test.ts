// Batch norm's moving statistics recomputed at each epoch's end (bnRecalibration.ts): the exact running average of
// the chunks' batch statistics, nothing else of the model touched, and a trained trial whose statistics belong to
// its final weights (recomputing them once more changes nothing), where the exponential average left them stale.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { shapes } from '../../src/core/data/synthetic';
import { initBackend } from '../../src/engine/backend';
import { smallCellNet } from '../helpers/cellNet';
import { recalibrateBatchNorm } from '../../src/engine/bnRecalibration';
import { train } from '../../src/engine/trainer';

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

function movingStats(model: tf.LayersModel): Float32Array[] {
  return model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .flatMap((l) => l.getWeights().slice(2))
    .map((t) => t.dataSync() as Float32Array);
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i][j])))));
}

describe('batch norm recalibration', () => {
  it("sets the moving mean and variance to the size-weighted average of the chunks' batch statistics", () => {
    const input = tf.input({ shape: [3] });
    const bn = tf.layers.batchNormalization({ momentum: 0.99 });
    const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
    // 10 rows, all used (samples 10), in chunks of 4, 4 and 2.
    const rows = Array.from({ length: 10 }, (_, i) => [i, i * i * 0.1, Math.sin(i) * 3 + 1]);
    const x = tf.tensor2d(rows);
    const before = model.getWeights().map((t) => t.dataSync().slice());
    try {
      assert.equal(recalibrateBatchNorm(model, x, 4, 10), true);
      const chunks = [rows.slice(0, 4), rows.slice(4, 8), rows.slice(8)];
      const stat = (f: (c: number[][], k: number) => number) => [0, 1, 2].map((k) => chunks.reduce((s, c) => s + f(c, k) * c.length, 0) / 10);
      const mean = (c: number[][], k: number) => c.reduce((s, r) => s + r[k], 0) / c.length;
      const variance = (c: number[][], k: number) => c.reduce((s, r) => s + (r[k] - mean(c, k)) ** 2, 0) / c.length;
      const [gamma, beta, movingMean, movingVariance] = model.getWeights().map((t) => Array.from(t.dataSync()));
      const near = (a: number[], b: number[], what: string) =>
        a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4 * (1 + Math.abs(b[i])), `${what}[${i}]: ${v} vs ${b[i]}`));
      near(movingMean, stat(mean), 'moving mean');
      near(movingVariance, stat(variance), 'moving variance');
      assert.deepEqual([gamma, beta], [Array.from(before[0]), Array.from(before[1])], 'gamma and beta untouched');
      assert.equal((bn as unknown as { momentum: number }).momentum, 0.99, 'momentum restored');
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it('does nothing to a model without batch norm, and leaves no tensors behind', () => {
    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    const x = tf.ones([5, 3]);
    const n = tf.memory().numTensors;
    assert.equal(recalibrateBatchNorm(model, x, 2), false);
    assert.equal(tf.memory().numTensors, n);
    x.dispose();
    model.dispose();
  });

  it("leaves a trained cell network's statistics those of its final weights, and its reported validation that of the model", async () => {
    const g = shapes({ samples: 160, classes: 4, imageSize: 12, seed: 5 });
    const model = smallCellNet(g.inputShape, 4, 11);
    const all = tf.div(tf.tensor4d(g.x, [160, 12, 12, 1]), 255);
    const y = tf.oneHot(tf.tensor1d(g.y as Int32Array, 'int32'), 4).toFloat();
    const data = { trainX: tf.slice(all, 0, 128), trainY: tf.slice(y, 0, 128), valX: tf.slice(all, 128, 32), valY: tf.slice(y, 128, 32) };
    try {
      const baseline = tf.memory().numTensors;
      const r = await train(model, data, { optimizer: 'adam', learningRate: 0.02, batchSize: 16, epochs: 2 }, { seed: 3 });
      assert.equal(tf.memory().numTensors, baseline, 'training leaked tensors');
      const trained = movingStats(model);
      recalibrateBatchNorm(model, data.trainX, 16);
      assert.ok(maxDiff(movingStats(model), trained) < 1e-5, 'the statistics after training were not those of the final weights');
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const [, acc] = (model.evaluate(data.valX, data.valY, { batchSize: 16 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
      assert.equal(r.history.at(-1)!.val_accuracy, acc);
    } finally {
      tf.dispose([all, y, ...Object.values(data)]);
      model.dispose();
    }
  });
});
