// The fused layer normalization (kernels/sequence/layerNorm.ts) on wasm against the same layer's tf-op path on
// the cpu backend: outputs, the input gradient and the gamma and beta gradients; no tensors or heap buffers
// left behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { fastLayerNorm } from '../../src/engine/layers';
import { hasFusedLayerNorm } from '../../src/engine/layers/layerNormOp';
import { rng } from '../helpers/data';
import { assertNear, layerGrads, leakFree, type LayerGrads } from '../helpers/layerGrads';

const rand = rng(20261205);
const randomData = (n: number, scale = 1, shift = 0) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale + shift);

function run(shape: number[], weights: Float32Array[], xData: Float32Array, probe: Float32Array): LayerGrads {
  const LayerNorm = fastLayerNorm(tf);
  return layerGrads(new LayerNorm({}), tf.tensor(xData, shape), { weights, probe });
}

async function compare(shape: number[]): Promise<void> {
  const d = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const weights = [randomData(d, 0.5, 1), randomData(d, 0.3)];
  // Rows with an offset and a spread of their own, as activations have.
  const xData = randomData(n, 2, 3);
  const probe = randomData(n);
  assert.ok(await tf.setBackend('cpu'));
  assert.equal(hasFusedLayerNorm(tf), false);
  const expected = run(shape, weights, xData, probe);
  assert.ok(await tf.setBackend('wasm'));
  assert.equal(hasFusedLayerNorm(tf), true);
  const actual = leakFree(() => run(shape, weights, xData, probe));
  assertNear(actual.y, expected.y, 'output');
  assertNear(actual.dx, expected.dx, 'input gradient', 1e-4);
  assertNear(actual.dWeights[0], expected.dWeights[0], 'gamma gradient');
  assertNear(actual.dWeights[1], expected.dWeights[1], 'beta gradient');
}

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('fused layer normalization on wasm against the tf-op path on cpu', () => {
  it('sequences [4, 7, 6]', () => compare([4, 7, 6]));
  it('vectors [5, 33]', () => compare([5, 33]));
  // Widths that are a multiple of four take the SIMD passes; 3 x 50 rows span several of the gradient's row blocks.
  it('SIMD rows [3, 50, 64]', () => compare([3, 50, 64]));
  it('SIMD rows [7, 12]', () => compare([7, 12]));
});
