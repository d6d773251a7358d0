// Data tensors: shapes, one-hot targets, seeded batches that cover the training set once, the per-worker
// cache, and that nothing leaks: a worker keeps its datasets for hundreds of trials.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/shared/spec';
import { loadDataset, type LoadedData } from '../../src/core/data/dataset';
import { createDataTensors, getDataTensors, releaseDataTensors } from '../../src/engine/data';

before(async () => {
  await tf.setBackend('cpu');
});

/** n samples of shape [2, 3, 1]; every value of sample i is i, so gathered rows say where they came from. */
function indexed(n: number, regression = false): LoadedData {
  const f = 6;
  const x = new Float32Array(n * f).map((_, k) => Math.floor(k / f));
  const y = regression ? Float32Array.from({ length: n }, (_, i) => i / 2) : Int32Array.from({ length: n }, (_, i) => i % 3);
  const val = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === 0);
  const train = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 0);
  return { x, y, inputShape: [2, 3, 1], task: regression ? 'regression' : 'classification', classes: regression ? 1 : 3, train, val, count: n };
}

describe('data tensors', () => {
  it('have the right shapes, rows and one-hot targets', () => {
    const base = tf.memory().numTensors;
    const d = indexed(20);
    const t = createDataTensors(d);
    assert.deepEqual(t.trainX.shape, [15, 2, 3, 1]);
    assert.deepEqual(t.trainY.shape, [15, 3]);
    assert.deepEqual(t.valX.shape, [5, 2, 3, 1]);
    assert.deepEqual(t.valY.shape, [5, 3]);
    assert.equal(t.trainY.dtype, 'float32');
    const firstOfRow = (x: tf.Tensor) => tf.tidy(() => x.reshape([x.shape[0], -1]).slice([0, 0], [-1, 1]).dataSync());
    assert.deepEqual(Array.from(firstOfRow(t.trainX)), Array.from(d.train));
    assert.deepEqual(Array.from(firstOfRow(t.valX)), Array.from(d.val));
    const y = t.trainY.arraySync() as number[][];
    y.forEach((row, i) =>
      assert.deepEqual(
        row,
        [0, 1, 2].map((k) => (k === d.y[d.train[i]] ? 1 : 0)),
      ),
    );
    t.dispose();
    t.dispose();
    assert.equal(tf.memory().numTensors, base);
  });

  it('give [n, 1] targets for regression', () => {
    const base = tf.memory().numTensors;
    const d = indexed(8, true);
    const t = createDataTensors(d);
    assert.deepEqual(t.trainY.shape, [6, 1]);
    assert.deepEqual(
      Array.from(t.valY.dataSync()),
      Array.from(d.val, (i) => i / 2),
    );
    t.dispose();
    assert.equal(tf.memory().numTensors, base);
  });

  it('batch the training set in a seeded order, each sample once per epoch', () => {
    const d = indexed(40);
    const t = createDataTensors(d);
    const base = tf.memory().numTensors;
    const epoch = (seed: number) => {
      const seen: number[] = [];
      const sizes: number[] = [];
      for (const { xs, ys } of t.batches(seed, 8)) {
        sizes.push(xs.shape[0]);
        const first = tf.tidy(() => xs.reshape([xs.shape[0], -1]).slice([0, 0], [-1, 1]).dataSync());
        const labels = tf.tidy(() => ys.argMax(1).dataSync());
        first.forEach((s, k) => assert.equal(labels[k], d.y[s], 'xs and ys stay paired'));
        seen.push(...first);
        tf.dispose([xs, ys]);
      }
      return { seen, sizes };
    };
    const a = epoch(1);
    assert.deepEqual(a.sizes, [8, 8, 8, 6]);
    assert.deepEqual(
      [...a.seen].sort((p, q) => p - q),
      Array.from(d.train),
    );
    assert.notDeepEqual(a.seen, Array.from(d.train), 'shuffled');
    assert.deepEqual(epoch(1).seen, a.seen);
    assert.notDeepEqual(epoch(2).seen, a.seen);
    assert.equal(tf.memory().numTensors, base, 'batches leave nothing behind once disposed');
    t.dispose();
  });

  it('are decoded once per key and freed on release', () => {
    const base = tf.memory().numTensors;
    let loads = 0;
    const spec = { source: 'synthetic', samples: 60 } as Dataset;
    const load = () => {
      loads++;
      return loadDataset(spec, undefined, '.', 1);
    };
    const a = getDataTensors('shapes', load);
    const b = getDataTensors('shapes', load);
    assert.equal(a, b);
    assert.equal(loads, 1);
    assert.deepEqual(a.trainX.shape, [48, 16, 16, 1]);
    assert.deepEqual(a.valY.shape, [12, 4]);
    releaseDataTensors('shapes');
    assert.equal(tf.memory().numTensors, base);
    getDataTensors('shapes', load);
    assert.equal(loads, 2, 'a released key is loaded again');
    getDataTensors('other', load).dispose();
    releaseDataTensors();
    assert.equal(tf.memory().numTensors, base);
  });

  it('cope with an empty validation set', () => {
    const base = tf.memory().numTensors;
    const d = { ...indexed(6), val: new Int32Array(0), train: Int32Array.from([0, 1, 2, 3, 4, 5]) };
    const t = createDataTensors(d);
    assert.deepEqual(t.valX.shape, [0, 2, 3, 1]);
    assert.deepEqual(t.valY.shape, [0, 3]);
    t.dispose();
    assert.equal(tf.memory().numTensors, base);
  });
});
