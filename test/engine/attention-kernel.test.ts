// The fused self-attention kernels (kernels/sequence/attention.ts) on wasm against the same layer's tf-op
// path on the cpu backend: outputs, the input gradient and every weight gradient, for sizes that fill the SIMD
// GEMM's panels and sizes that do not; and no tensors or heap buffers left behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { registerNasLayers } from '../../src/engine/layers';
import { hasFusedAttention } from '../../src/engine/layers/attentionOp';
import { rng } from '../helpers/data';
import { assertNear, layerGrads, leakFree, type LayerGrads } from '../helpers/layerGrads';

const rand = rng(20261204);
const randomData = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

interface Case {
  batch: number;
  steps: number;
  width: number;
  heads: number;
  keySize: number;
}

function run(c: Case, weights: Float32Array[], xData: Float32Array, probe: Float32Array): LayerGrads {
  const { MultiHeadSelfAttention } = registerNasLayers(tf);
  const layer = new MultiHeadSelfAttention({ heads: c.heads, keySize: c.keySize });
  return layerGrads(layer, tf.tensor3d(xData, [c.batch, c.steps, c.width]), { weights, probe });
}

async function compare(c: Case): Promise<void> {
  const hk = c.heads * c.keySize;
  const weights = [randomData(c.width * 3 * hk, 0.5), randomData(3 * hk, 0.2), randomData(hk * c.width, 0.5), randomData(c.width, 0.2)];
  const xData = randomData(c.batch * c.steps * c.width, 1.5);
  const probe = randomData(c.batch * c.steps * c.width);

  assert.ok(await tf.setBackend('cpu'));
  assert.equal(hasFusedAttention(tf), false, 'cpu takes the tf-op path');
  const expected = run(c, weights, xData, probe);

  assert.ok(await tf.setBackend('wasm'));
  assert.equal(hasFusedAttention(tf), true, 'wasm takes the fused kernels');
  const actual = leakFree(() => run(c, weights, xData, probe));

  assertNear(actual.y, expected.y, 'output');
  assertNear(actual.dx, expected.dx, 'input gradient');
  ['qkv kernel', 'qkv bias', 'output kernel', 'output bias'].forEach((name, i) => assertNear(actual.dWeights[i], expected.dWeights[i], `${name} gradient`));
}

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('fused self-attention on wasm against the tf-op path on cpu', () => {
  it('panel sizes (8 steps, 2 heads of 8)', () => compare({ batch: 3, steps: 8, width: 16, heads: 2, keySize: 8 }));
  it('sizes off the panels (7 steps, 3 heads of 5, width 6)', () => compare({ batch: 4, steps: 7, width: 6, heads: 3, keySize: 5 }));
  it("the bench's shape, fewer samples (28 steps, 4 heads of 16)", () => compare({ batch: 2, steps: 28, width: 64, heads: 4, keySize: 16 }));
  // T a multiple of 4 runs the softmax passes in SIMD (8 and 28 above too); 4 is one vector a row.
  it('four steps (SIMD softmax, one vector a row)', () => compare({ batch: 2, steps: 4, width: 8, heads: 2, keySize: 4 }));
  it('one step', () => compare({ batch: 2, steps: 1, width: 4, heads: 2, keySize: 2 }));
});
