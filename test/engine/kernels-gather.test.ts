// GatherV2 on wasm (src/engine/kernels/gather.ts) against the cpu backend: fit's batch gather along axis 0,
// other axes, one-value slices, int32 data, multi-dimensional and repeated indices, and the index check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compare, harness, kernelBackends } from '../helpers/kernels';

const h = harness(20261204);

kernelBackends();

describe('GatherV2 matches cpu', () => {
  const shape = [9, 5, 4, 3];
  const data = h.data(shape);
  const cases: Array<{ label: string; axis: number; indices: number[]; indicesShape: number[] }> = [
    { label: 'a shuffled batch along axis 0', axis: 0, indices: [8, 0, 3, 3, 5], indicesShape: [5] },
    { label: 'axis 1, indices 2-D', axis: 1, indices: [4, 0, 2, 2, 1, 3], indicesShape: [2, 3] },
    { label: 'the last axis (one value a slice)', axis: 3, indices: [2, 0, 1, 2], indicesShape: [4] },
    { label: 'a negative axis', axis: -2, indices: [3, 1], indicesShape: [2] },
  ];
  for (const c of cases) {
    it(c.label, async () => {
      await compare(c.label, () => [tf.gather(tf.tensor(data, shape), tf.tensor(c.indices, c.indicesShape, 'int32'), c.axis)], 0);
    });
  }
  it('int32 data, exactly', async () => {
    const ints = Array.from({ length: 60 }, (_, i) => i * 7 - 100);
    await compare('int32', () => [tf.gather(tf.tensor(ints, [12, 5], 'int32'), tf.tensor1d([11, 2, 2, 0], 'int32')).toFloat()], 0);
  });
  it('no indices give an empty result', async () => {
    await tf.setBackend('wasm');
    const y = tf.gather(tf.tensor(data, shape), tf.tensor1d([], 'int32'));
    assert.deepEqual(y.shape, [0, 5, 4, 3]);
    y.dispose();
  });
  it('rejects an index outside the axis', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(data, shape);
    assert.throws(() => tf.gather(x, tf.tensor1d([0, 9], 'int32')), /index value 9 is not in \[0, 8\]/);
    x.dispose();
  });
});
