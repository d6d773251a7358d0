// The cpu backend's average-pool gradient (kernels/cpuAvgPoolGrad.ts) is the derivative of its forward pass where
// 'same' padding cuts windows, which tfjs's own cpu kernel is not, and the same as tfjs's where no window is cut.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { harness } from '../helpers/kernels';

const h = harness(20261204);

/** The forward pass written as a sum over in-image taps divided by their count: its gradient is exact on cpu. */
function referencePool(a: tf.Tensor4D, f: number, s: number): tf.Tensor4D {
  const c = a.shape[3];
  const ones = tf.ones([f, f, c, 1]) as tf.Tensor4D;
  const count = tf.depthwiseConv2d(tf.onesLike(a), ones, s, 'same');
  return tf.depthwiseConv2d(a, ones, s, 'same').div(count);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
}

before(async () => {
  assert.equal((await initBackend('cpu')).name, 'cpu');
});

describe('average-pool gradient on cpu', () => {
  for (const [shape, f, s] of [
    [[2, 5, 6, 3], 3, 1],
    [[2, 7, 9, 4], 3, 2],
    [[1, 5, 5, 2], 2, 1],
    [[3, 1, 6, 2], 3, 1],
  ] as [[number, number, number, number], number, number][]) {
    it(`${shape.join('x')}, pool ${f}, stride ${s}, same: the derivative of the forward pass`, () => {
      const x = tf.tensor4d(h.data(shape), shape);
      const y = tf.avgPool(x, f, s, 'same');
      assert.ok(maxDiff(y, referencePool(x, f, s)) < 1e-5, 'the forward passes differ');
      const dy = tf.tensor(h.data(y.shape, 0, 1), y.shape);
      const ours = tf.grad((a: tf.Tensor) =>
        tf
          .avgPool(a as tf.Tensor4D, f, s, 'same')
          .mul(dy)
          .sum(),
      )(x);
      const exact = tf.grad((a: tf.Tensor) =>
        referencePool(a as tf.Tensor4D, f, s)
          .mul(dy)
          .sum(),
      )(x);
      assert.ok(maxDiff(ours, exact) < 1e-5, `gradient off by ${maxDiff(ours, exact)}`);
    });
  }

  it("matches tfjs's own kernel where no window is cut ('valid')", () => {
    const x = tf.tensor4d(h.data([2, 8, 7, 3]), [2, 8, 7, 3]);
    const dy = tf.tensor(h.data([2, 3, 3, 3], 0, 1), [2, 3, 3, 3]);
    const ours = tf.grad((a: tf.Tensor) =>
      tf
        .avgPool(a as tf.Tensor4D, 3, 2, 'valid')
        .mul(dy)
        .sum(),
    )(x);
    // tfjs's formula: each window's dy divided by the full window size, added to its 9 pixels.
    const expected = new Float32Array(2 * 8 * 7 * 3);
    const g = dy.dataSync();
    for (let b = 0; b < 2; b++)
      for (let oy = 0; oy < 3; oy++)
        for (let ox = 0; ox < 3; ox++)
          for (let y = oy * 2; y < oy * 2 + 3; y++)
            for (let xx = ox * 2; xx < ox * 2 + 3; xx++)
              for (let k = 0; k < 3; k++) expected[((b * 8 + y) * 7 + xx) * 3 + k] += g[((b * 3 + oy) * 3 + ox) * 3 + k] / 9;
    assert.ok(maxDiff(ours, tf.tensor(expected, [2, 8, 7, 3])) < 1e-6);
  });
});
