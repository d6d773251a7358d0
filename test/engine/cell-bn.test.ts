// A cell network trained for a NAS trial's few dozen steps must score in inference mode (moving batch-norm
// averages) about as it does in training mode (batch statistics). With Keras' momentum 0.99 the averages still
// held mostly their initial 0 and 1 after 30 steps and validation scored chance while training scored 0.99.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { shapes } from '../../src/core/data/synthetic';
import { initBackend } from '../../src/engine/backend';
import { smallCellNet } from '../helpers/cellNet';

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('cell network batch norm', () => {
  it('scores the training batch in inference mode as well as it trains after 30 steps', async () => {
    const g = shapes({ samples: 64, classes: 4, imageSize: 12, seed: 5 });
    const model = smallCellNet(g.inputShape, 4, 11);
    const x = tf.tensor4d(g.x, [64, 12, 12, 1]);
    const y = tf.oneHot(tf.tensor1d(g.y as Int32Array, 'int32'), 4);
    try {
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const h = await model.fit(x, y, { epochs: 30, batchSize: 64, shuffle: false, verbose: 0 });
      const trainAcc = h.history.acc.at(-1) as number;
      const [, inferAcc] = (model.evaluate(x, y) as tf.Scalar[]).map((t) => t.dataSync()[0]);
      assert.ok(trainAcc > 0.9, `the network should fit 64 samples in 30 steps (training accuracy ${trainAcc})`);
      assert.ok(inferAcc > trainAcc - 0.15, `inference accuracy ${inferAcc} against training accuracy ${trainAcc}`);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  });
});
