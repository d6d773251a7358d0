// Checking wasm kernels against the cpu backend: seeded data, one function run on both backends (and, on wasm,
// proof that no tensor or backend buffer was left behind), and a tolerance check scaled by the result's size.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { rng } from './data';

export function harness(seed: number) {
  const rand = rng(seed);
  return {
    rand,
    int: (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)),
    data: (shape: number[], lo = -1, hi = 1) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + rand() * (hi - lo)),
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

/** fn on wasm against `reference` (fn itself unless given) on cpu; every output must agree (and the reference
 *  must not be all zeros). */
export async function compare(label: string, fn: () => tf.Tensor[], tol = 1e-4, reference: () => tf.Tensor[] = fn): Promise<void> {
  const expected = await on('cpu', reference);
  const actual = await on('wasm', fn);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    assert.ok(expected[i].values.some((v) => v !== 0) || tol === 0, `${label} #${i}: reference is all zeros, the comparison would prove nothing`);
    assertClose(a, expected[i], `${label} #${i}`, tol);
  });
}

/** A before() hook for a kernel suite: the wasm backend loaded with this project's kernels, cpu current. */
export function kernelBackends(): void {
  before(async () => {
    await initBackend('wasm');
    // Reference values come from cpu; its "install tfjs-node" banner is noise here.
    await tf.setBackend('cpu');
    (tf.backend() as { firstUse?: boolean }).firstUse = false;
  });
}
