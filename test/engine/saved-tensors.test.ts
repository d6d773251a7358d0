// On wasm the tensors tfjs keeps for the backward pass share their buffer directly (backend.ts shareSavedTensors)
// instead of tfjs's clone (an Identity kernel and a tape node each): no Identity runs, the gradients match the cpu
// backend's, a kept tensor outlives the forward pass's own handle, and nothing is left behind.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { compare, harness } from '../helpers/kernels';

before(async () => {
  await initBackend('wasm');
});

/** Gradients of a small two-layer step whose intermediates tidy disposes before the backward pass reads them. */
function step(seed: number) {
  const g = harness(seed);
  const [x, w1, w2] = [g.data([6, 10]), g.data([10, 7]), g.data([7, 3])];
  return () => {
    const vars = [tf.variable(tf.tensor2d(w1, [10, 7])), tf.variable(tf.tensor2d(w2, [7, 3]))];
    try {
      const input = tf.tensor2d(x, [6, 10]);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.matMul(tf.sigmoid(tf.matMul(input, vars[0])), vars[1]).square())), vars);
      return [value, ...vars.map((v) => grads[v.name])];
    } finally {
      vars.forEach((v) => v.dispose());
    }
  };
}

test('gradients through kept tensors match the cpu backend, with no leak on wasm', () => compare('two-layer step', step(5)));

test('no Identity kernel runs to keep tensors for the backward pass on wasm', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const run = step(6);
  const { kernels } = await tf.profile(() => tf.dispose(run()));
  const names = kernels.map((k) => k.name);
  assert.ok(names.includes('Sigmoid'), names.join(' '));
  assert.ok(!names.includes('Identity'), names.join(' '));
});
