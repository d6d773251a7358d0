// A trial's seed replays its training: tfjs's fit shuffles with Math.random, which the trainer seeds for the fit
// (seededRandom.ts). Without it two trainings of the same model from the same weights differ in their losses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch, ConcreteTraining } from '../../src/shared/arch';
import { buildModel } from '../../src/engine/builder';
import { train, type TrainData } from '../../src/engine/trainer';
import { withSeededRandom } from '../../src/engine/seededRandom';
import { blobs } from '../helpers/data';

const mlp: ConcreteArch = { kind: 'sequential', layers: [{ type: 'dense', units: 8, activation: 'relu', source: 'architecture.layers[0]' }] };
const training: ConcreteTraining = { optimizer: 'adam', learningRate: 0.05, batchSize: 8, epochs: 3 };

let data: TrainData;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  const [t, v] = [blobs(96, 1, { spread: 4 }), blobs(48, 2, { spread: 4 })];
  data = { trainX: tf.tensor2d(t.x), trainY: tf.tensor2d(t.y), valX: tf.tensor2d(v.x), valY: tf.tensor2d(v.y) };
});

after(() => tf.dispose(Object.values(data)));

/** The per-epoch losses of the same initial model (weights seeded 5) trained with `seed`. */
async function losses(seed: number): Promise<number[]> {
  const model = buildModel(mlp, [4], 3, 'classification', 5);
  try {
    const r = await train(model, data, training, { seed });
    return r.history.map((m) => m.loss);
  } finally {
    model.dispose();
  }
}

describe('seeded training', () => {
  it('replays the same losses under the same seed, and other ones under another seed', async () => {
    const random = Math.random;
    const a = await losses(1);
    const b = await losses(1);
    const c = await losses(2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(Math.random, random, 'Math.random is given back after the fit');
  });

  it('gives Math.random back when the training throws, and only after overlapping runs all ended', async () => {
    const random = Math.random;
    await assert.rejects(
      withSeededRandom(3, () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(Math.random, random);
    let release!: () => void;
    const first = withSeededRandom(4, () => new Promise<void>((r) => (release = r)));
    const draws = await withSeededRandom(5, async () => [Math.random(), Math.random()]);
    assert.notEqual(Math.random, random, 'still seeded while the first run goes on');
    release();
    await first;
    assert.equal(Math.random, random);
    assert.ok(draws.every((d) => d >= 0 && d < 1));
  });
});
