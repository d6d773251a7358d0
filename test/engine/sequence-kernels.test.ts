// Sequence kernels on wasm against the cpu backend's reference implementations, leaving no tensors or
// backend buffers behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { rng } from '../helpers/data';

const rand = rng(20261202);
const randomData = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);

type Result = { shape: number[]; values: Float32Array };

async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Result[]> {
  assert.ok(await tf.setBackend(backend));
  const tensors = tf.memory().numTensors;
  const ids = tf.engine().backend.numDataIds();
  const outs = tf.tidy(fn);
  const results = outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(outs);
  assert.equal(tf.memory().numTensors, tensors, `${backend}: tensor leak`);
  if (backend === 'wasm') assert.equal(tf.engine().backend.numDataIds(), ids, 'backend buffer leak');
  return results;
}

function assertClose(a: Result, e: Result, label: string, tol = 1e-5): void {
  assert.deepEqual(a.shape, e.shape, `${label}: shape`);
  const scale = e.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  e.values.forEach((v, i) => assert.ok(Math.abs(a.values[i] - v) <= tol * (Math.abs(v) + scale), `${label}[${i}]: ${a.values[i]} vs ${v}`));
}

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('UnsortedSegmentSum (the embedding gradient)', () => {
  it('matches cpu, with repeated and out-of-range ids', async () => {
    const x = randomData([7, 5]);
    const ids = Int32Array.from([3, 0, 3, 9, 1, 3, -1]);
    const run = () => [tf.unsortedSegmentSum(tf.tensor2d(x, [7, 5]), tf.tensor1d(ids, 'int32'), 4)];
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    assertClose(wasm, cpu, 'segment sum');
  });

  it('an embedding trains on wasm as on cpu: same gradient of its table', async () => {
    const table = randomData([6, 3]);
    const idsData = Float32Array.from([0, 5, 2, 2, 1, 5, 5, 3]);
    const grad = () => {
      const t = tf.tensor2d(table, [6, 3]);
      return [tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.gather(w, tf.tensor1d(idsData).toInt()), tf.range(0, 24).reshape([8, 3]))))(t)];
    };
    const [cpu] = await on('cpu', grad);
    const [wasm] = await on('wasm', grad);
    assertClose(wasm, cpu, 'embedding gradient');
  });
});
