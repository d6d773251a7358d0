// The supernet's batch norm on wasm is the trainer's fused kernel; elsewhere tf.moments. On wasm both must give
// the same values and input gradients, or alpha would learn something else there than the finite-difference
// tests (on cpu, through tf.moments) check.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { BATCH_NORM_TRAINING } from '../../src/engine/kernels/batchNorm';
import { normalize } from '../../src/engine/supernet/batchNorm';

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('supernet batch norm on wasm', () => {
  it('takes the fused kernel, with the values and gradients of tf.moments', () => {
    assert.ok(tf.getKernel(BATCH_NORM_TRAINING, 'wasm'), 'the fused kernel is registered on wasm');
    const x = tf.randomNormal([3, 5, 5, 6], 2, 3, 'float32', 1);
    // An uneven upstream gradient, so dmean and dvariance terms of the backward pass matter.
    const r = tf.randomNormal([3, 5, 5, 6], 0, 1, 'float32', 2);
    const both = [true, false].map((fused) =>
      tf.tidy(() => {
        const f = (t: tf.Tensor) => tf.sum(tf.mul(normalize(t, fused), r)) as tf.Scalar;
        const { value, grad } = tf.valueAndGrad(f)(x);
        return { y: Array.from(normalize(x, fused).dataSync()), value: value.dataSync()[0], grad: Array.from(grad.dataSync()) };
      }),
    );
    const [fused, moments] = both;
    const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(worst(fused.y, moments.y) < 1e-4, `values differ by ${worst(fused.y, moments.y)}`);
    assert.ok(Math.abs(fused.value - moments.value) < 1e-3);
    assert.ok(Math.max(...moments.grad.map(Math.abs)) > 0.1, 'a gradient worth comparing');
    assert.ok(worst(fused.grad, moments.grad) < 1e-4, `gradients differ by ${worst(fused.grad, moments.grad)}`);
    tf.dispose([x, r]);
  });
});
