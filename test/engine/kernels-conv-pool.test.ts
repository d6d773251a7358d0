// A ReLU conv layer followed by a max pool runs as conv -> max pool -> bias + ReLU on wasm (kernels/convPool.ts),
// against tfjs's conv -> bias -> ReLU -> max pool on the cpu backend: outputs and every gradient, ties included,
// and the fused bias + ReLU kernels must run on the pooled shape (they ran on the conv's full output before).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src/engine/builder';
import { BIAS_RELU, BIAS_RELU_GRAD } from '../../src/engine/kernels/biasRelu';
import { pairConvPool } from '../../src/engine/kernels/convPool';
import { parseNetSpec } from '../../bench/netSpec';
import { compare, harness, kernelBackends } from '../helpers/kernels';

kernelBackends();

type Shape4 = [number, number, number, number];
interface Case {
  x: Shape4;
  filters: number;
  kernelSize: number;
  padding: 'same' | 'valid';
  pool: { poolSize: number; strides: number; padding: 'same' | 'valid' };
  /** Integer-valued data: many equal values in a window, so the first-of-ties rule is exercised. */
  coarse?: boolean;
}

/** conv (ReLU, bias) -> max pool, paired as the builder pairs them: the pooled output and the gradients of
 *  sum(y * r) for x, the kernel and the bias. */
function pairRun(c: Case, seed: number) {
  const g = harness(seed);
  const kShape = [c.kernelSize, c.kernelSize, c.x[3], c.filters];
  const [kernel, bias] = c.coarse ? [g.coarse(kShape).map((v) => v - 1), g.coarse([c.filters]).map((v) => v - 1)] : [g.data(kShape), g.data([c.filters])];
  const xData = c.coarse ? g.coarse(c.x) : g.data(c.x);
  return () => {
    const conv = tf.layers.conv2d({ filters: c.filters, kernelSize: c.kernelSize, padding: c.padding, activation: 'relu' });
    const pool = tf.layers.maxPooling2d(c.pool);
    pairConvPool(conv, pool);
    conv.build(c.x);
    conv.setWeights([tf.tensor(kernel, kShape), tf.tensor(bias)]);
    const input = tf.variable(tf.tensor(xData, c.x));
    try {
      const run = () => pool.apply(conv.apply(input)) as tf.Tensor;
      const y = run();
      const r = tf.tensor(harness(seed + 1).data(y.shape), y.shape);
      const [k, b] = conv.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => run().mul(r).sum(), [input, k, b]);
      return [y, grads[input.name], grads[k.name], grads[b.name]];
    } finally {
      input.dispose();
      conv.weights.forEach((w) => w.dispose());
    }
  };
}

/** The input shapes of every run of `kernel` while fn ran on wasm. */
async function kernelShapes(kernel: string, fn: () => void): Promise<string[]> {
  assert.ok(await tf.setBackend('wasm'));
  const info = await tf.profile(fn);
  return info.kernels.filter((k) => k.name === kernel).map((k) => JSON.stringify(k.inputShapes[0]));
}

describe('conv -> max pool with the bias and ReLU after the pool: wasm against cpu', () => {
  const cases: Case[] = [
    { x: [4, 8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', pool: { poolSize: 2, strides: 2, padding: 'valid' } }, // a first layer
    { x: [2, 9, 9, 4], filters: 5, kernelSize: 3, padding: 'valid', pool: { poolSize: 2, strides: 2, padding: 'valid' } }, // odd map, channels off the vector path
    { x: [3, 7, 7, 8], filters: 12, kernelSize: 5, padding: 'same', pool: { poolSize: 3, strides: 2, padding: 'same' } }, // overlapping, padded windows
    { x: [2, 6, 6, 4], filters: 8, kernelSize: 3, padding: 'same', pool: { poolSize: 2, strides: 2, padding: 'valid' }, coarse: true },
  ];
  cases.forEach((c, i) => {
    const label = `${c.x.join('x')} -> ${c.filters} ${c.kernelSize}x${c.kernelSize} ${c.padding}, pool ${c.pool.poolSize}/${c.pool.strides} ${c.pool.padding}${c.coarse ? ', ties' : ''}`;
    it(label, () => compare(label, pairRun(c, 500 + i)));
  });

  it('runs the bias + ReLU kernels on the pooled map, not the conv output', async () => {
    const c = cases[0];
    const names = await Promise.all([BIAS_RELU, BIAS_RELU_GRAD].map((k) => kernelShapes(k, () => tf.tidy(() => void pairRun(c, 9)()))));
    for (const shapes of names) assert.deepEqual([...new Set(shapes)], [JSON.stringify([4, 4, 4, 8])]);
  });
});

describe('the builder pairs a conv with the max pool that follows it, and nothing else', () => {
  /** Shapes the bias + ReLU kernel ran on in one forward pass of a built network (convolutions only: a dense
   *  layer runs its bias + ReLU inside NasDense, which the profile does not look into). */
  const biasReluShapes = (spec: string) =>
    kernelShapes(BIAS_RELU, () =>
      tf.tidy(() => {
        const model = buildModel(parseNetSpec(spec).arch, [12, 12, 1], 10, 'classification', 3);
        try {
          model.predict(tf.ones([2, 12, 12, 1]));
        } finally {
          model.dispose();
        }
      }),
    );

  it('conv -> pool: bias + ReLU on the pooled map', async () => {
    assert.deepEqual(await biasReluShapes('c8k3-p-d16'), [JSON.stringify([2, 6, 6, 8])]);
  });

  it('conv -> conv -> pool: only the second conv is paired', async () => {
    assert.deepEqual(await biasReluShapes('c8k3-c8k3-p-d16'), [JSON.stringify([2, 12, 12, 8]), JSON.stringify([2, 6, 6, 8])]);
  });

  it('a trained step of a built conv -> pool network matches cpu', async () => {
    const net = parseNetSpec('c8k3-p-c8k5-p-d16');
    const xData = harness(77).data([3, 12, 12, 1]);
    const step = () => {
      const model = buildModel(net.arch, [12, 12, 1], 10, 'classification', 5);
      try {
        const x = tf.tensor(xData, [3, 12, 12, 1]);
        const { value, grads } = tf.variableGrads(() => (model.apply(x) as tf.Tensor).square().sum() as tf.Scalar);
        return [value, ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])];
      } finally {
        model.dispose();
      }
    };
    await compare('c8k3-p-c8k5-p-d16', step);
  });
});
