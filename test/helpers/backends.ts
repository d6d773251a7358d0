// Comparing the wasm backend's kernels with the cpu backend's: seeded data, running one function on each
// backend (on wasm also proving that no tensor or backend buffer was left behind), and a tolerance check.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { rng } from './data';

export function harness(seed: number) {
  const rand = rng(seed);
  return {
    rand,
    int: (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)),
    data: (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1),
    /** Few distinct values, so windows and rows tie often. */
    coarse: (shape: number[], levels = 3) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rand() * levels)),
  };
}

export type Result = { shape: number[]; values: Float32Array };

/** Runs fn on one backend; on wasm also proves that neither tensors nor backend buffers were left behind. */
export async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Result[]> {
  assert.ok(await tf.setBackend(backend));
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = tf.engine().backend.numDataIds();
  const outs = tf.tidy(fn);
  const results = outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(outs);
  if (backend === 'wasm') {
    assert.equal(tf.memory().numTensors, tensorsBefore, 'tensor leak');
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, 'backend buffer leak (a kernel lost an intermediate)');
  }
  return results;
}

/** |a - e| <= tol * (|e| + max|e|); exact when tol is 0. NaNs must match NaNs. */
export function assertClose(actual: Result, expected: Result, label: string, tol = 1e-4): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let scale = 0;
  for (const v of expected.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.values.length; i++) {
    const [a, e] = [actual.values[i], expected.values[i]];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= tol * (Math.abs(e) + scale)) && a !== e) assert.fail(`${label}: element ${i} is ${a}, cpu says ${e}`);
  }
}

export async function compare(label: string, fn: () => tf.Tensor[], tol = 1e-4): Promise<void> {
  const expected = await on('cpu', fn);
  const actual = await on('wasm', fn);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    assert.ok(expected[i].values.some((v) => v !== 0) || tol === 0, `${label} #${i}: reference is all zeros, the comparison would prove nothing`);
    assertClose(a, expected[i], `${label} #${i}`, tol);
  });
}
