// How a stop request lands in the training loop: between batches it drops the epoch under way; after an epoch's
// last batch (validation already done) the epoch is whole and kept; with the last planned epoch it stops nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch, ConcreteTraining } from '../../src/shared/arch';
import { buildModel } from '../../src/engine/builder';
import { train, type TrainData } from '../../src/engine/trainer';
import { blobs } from '../helpers/data';

const mlp: ConcreteArch = { kind: 'sequential', layers: [{ type: 'dense', units: 8, activation: 'relu', source: 'architecture.layers[0]' }] };
// 96 samples in batches of 16: 6 batches an epoch.
const base: ConcreteTraining = { optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 4 };
let data: TrainData;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  const [t, v] = [blobs(96, 1), blobs(48, 2)];
  data = { trainX: tf.tensor2d(t.x), trainY: tf.tensor2d(t.y), valX: tf.tensor2d(v.x), valY: tf.tensor2d(v.y) };
});

after(() => tf.dispose(Object.values(data)));

async function run(opts: Parameters<typeof train>[3]) {
  const model = buildModel(mlp, [4], 3, 'classification', 5);
  try {
    return await train(model, data, base, opts);
  } finally {
    model.dispose();
  }
}

test('a stop asked during the last batch of an epoch keeps that epoch', async () => {
  let polls = 0;
  // Poll 1 comes before training, polls 2-6 after batches 0-4 of epoch 0, the 7th at the epoch's end, after its
  // last batch and validation.
  const r = await run({ seed: 1, shouldStop: () => ++polls >= 7 });
  assert.equal(r.stopReason, 'stopped');
  assert.equal(r.history.length, 1);
  polls = 0;
  const mid = await run({ seed: 1, shouldStop: () => ++polls >= 6 });
  assert.equal(mid.history.length, 0, 'a stop after batch 4 drops the epoch');
});

test('a stop that comes with the last planned epoch stops nothing: the trial ran all its epochs', async () => {
  const r = await run({ seed: 1, onEpoch: (e) => (e === base.epochs - 1 ? 'stop' : 'continue') });
  assert.equal(r.stopReason, 'epochs');
  assert.equal(r.history.length, base.epochs);
  const early = await run({ seed: 1, onEpoch: (e) => (e === 1 ? 'stop' : 'continue') });
  assert.equal(early.stopReason, 'stopped');
  assert.equal(early.history.length, 2);
});
