// DARTS' mixed operation on wasm (one fused kernel each way, kernels/mixed.ts) against Multiply + AddN on cpu,
// and its gradients against finite differences on wasm (the cpu path has its own in supernet.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MIXED } from '../../src/engine/kernels/mixed';
import { mixedOp, mixingWeights, weightedSum } from '../../src/engine/supernet/mixed';
import { compare, harness, kernelBackends } from '../helpers/kernels';

kernelBackends();

/** mixedOp on fixed data: its value and the gradients of sum(y * r) for alpha and every candidate. */
function run(shape: number[], present: boolean[], seed: number) {
  const g = harness(seed);
  const alpha = g.data([present.length], -2, 2);
  const outs = present.map((p) => (p ? g.data(shape) : null));
  const r = g.data(shape);
  return () => {
    const a = tf.tensor1d(alpha);
    const xs = outs.flatMap((o) => (o ? [tf.tensor(o, shape)] : []));
    const rt = tf.tensor(r, shape);
    const candidates = (x: tf.Tensor[]) => {
      let at = 0;
      return present.map((p) => (p ? x[at++] : null));
    };
    const f = (...args: tf.Tensor[]) => tf.sum(tf.mul(rt, mixedOp(args[0] as tf.Tensor1D, candidates(args.slice(1)))));
    const grads = tf.grads(f)([a, ...xs]);
    return [mixedOp(a, candidates(xs)), ...grads];
  };
}

describe('mixed operation: wasm (fused) against cpu (Multiply + AddN)', () => {
  const cases: Array<{ shape: number[]; present: boolean[]; label: string }> = [
    { shape: [4, 8, 8, 8], present: [false, true, true, true, true], label: 'a cell edge: none + 4 candidates' },
    { shape: [3, 5, 5, 3], present: [true, false, true], label: 'sizes off the vector width (225 floats)' },
    { shape: [2, 6], present: [false, true], label: 'one candidate besides none' },
    { shape: [2, 4, 4, 4], present: [true, true, true, true, true, true, true, false, true], label: 'more candidates than one pass takes (8)' },
    { shape: [16, 16, 16, 8], present: [true, true, true, false], label: 'many 64-row blocks in the weight gradient' },
  ];
  cases.forEach(({ shape, present, label }, i) => it(label, () => compare(label, run(shape, present, 300 + i))));

  it('runs as one kernel forward and two backward on wasm, none of them Multiply', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const a = tf.tensor1d([0.1, -0.3, 0.7]);
    const xs = [tf.ones([2, 4]), tf.ones([2, 4])];
    const forward = await tf.profile(() => mixedOp(a, [xs[0], null, xs[1]]));
    const names = forward.kernels.map((k) => k.name);
    assert.deepEqual(
      names.filter((n) => n !== 'Softmax'),
      [MIXED],
    );
    // An explicit dy, so no Sum (whose gradient is a Multiply) sits between the loss and the kernel.
    const dy = tf.ones([2, 4]);
    const backward = await tf.profile(() => tf.grads((al: tf.Tensor, x0: tf.Tensor) => mixedOp(al as tf.Tensor1D, [x0, null, xs[1]]))([a, xs[0]], dy));
    assert.deepEqual(
      backward.kernels.map((k) => k.name).filter((n) => !['Softmax', MIXED].includes(n)),
      ['NasMixedDx', 'NasMixedDw', 'NasSoftmaxGrad'],
    );
    dy.dispose();
    tf.dispose([a, ...xs]);
    await tf.setBackend('cpu');
  });

  it('has the gradients of finite differences on wasm, the zero candidate included', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const g = harness(7);
    const alpha = Array.from(g.data([3]));
    const o = [Array.from(g.data([8])), Array.from(g.data([8]))];
    const r = tf.tensor1d(g.data([8]));
    const f = (a: number[], o0: number[], o2: number[]) =>
      tf.tidy(() => tf.sum(tf.mul(r, weightedSum(mixingWeights(tf.tensor1d(a)), [tf.tensor1d(o0), null, tf.tensor1d(o2)]))).dataSync()[0]);
    const grads = tf.grads((a: tf.Tensor, o0: tf.Tensor, o2: tf.Tensor) => tf.sum(tf.mul(r, mixedOp(a as tf.Tensor1D, [o0, null, o2]))));
    const analytic = grads([tf.tensor1d(alpha), tf.tensor1d(o[0]), tf.tensor1d(o[1])]).map((t) => Array.from(t.dataSync()));
    const h = 1e-2;
    const points: [number[], number[], number[]] = [alpha, o[0], o[1]];
    analytic.forEach((gs, which) =>
      gs.forEach((v, i) => {
        const at = (d: number) => points.map((p, j) => (j === which ? p.map((x, k) => (k === i ? x + d : x)) : p)) as typeof points;
        const numeric = (f(...at(h)) - f(...at(-h))) / (2 * h);
        assert.ok(Math.abs(v - numeric) < 2e-3, `input ${which} [${i}]: ${v} vs ${numeric}`);
      }),
    );
    assert.ok(Math.abs(analytic[0][1]) > 1e-4, 'the zero candidate still pulls on its alpha');
    r.dispose();
    await tf.setBackend('cpu');
  });
});
