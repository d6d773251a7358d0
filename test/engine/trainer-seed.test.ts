// A trial's seed replays its training: tfjs's fit shuffles with Math.random, which the trainer seeds for the fit
// (seededRandom.ts). Without it two trainings of the same model from the same weights differ in their losses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch, ConcreteTraining } from '../../src/shared/arch';
import { withSeededRandom } from '../../src/engine/seededRandom';
import type { TrainData } from '../../src/engine/trainer';
import { blobTensors, seededLosses } from '../helpers/seededTraining';

const mlp: ConcreteArch = { kind: 'sequential', layers: [{ type: 'dense', units: 8, activation: 'relu', source: 'architecture.layers[0]' }] };
const training: ConcreteTraining = { optimizer: 'adam', learningRate: 0.05, batchSize: 8, epochs: 3 };

let data: TrainData;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  data = blobTensors(96, 48, 4);
});

after(() => tf.dispose(Object.values(data)));

const losses = (seed: number) => seededLosses(mlp, training, data, seed);

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
