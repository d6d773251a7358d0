// The Conv2D layer's bias + ReLU on wasm (one fused kernel each way, kernels/biasRelu.ts, routed by
// kernels/convLayer.ts) against tfjs's Add, Relu, Step, Multiply and Sum on the cpu backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU, BIAS_RELU_GRAD } from '../../src/engine/kernels/biasRelu';
import { compare, harness, kernelBackends } from '../helpers/kernels';

const h = harness(20261203);

kernelBackends();

/** Kernel names a function ran on wasm. */
async function wasmKernels(fn: () => void): Promise<Set<string>> {
  assert.ok(await tf.setBackend('wasm'));
  return new Set((await tf.profile(fn)).kernels.map((k) => k.name));
}

type Shape4 = [number, number, number, number];

/** A Conv2D layer with fixed weights: its output and the gradients of sum(y * r) for x, kernel and bias. */
function layerRun(
  x: Shape4,
  opts: { filters: number; kernelSize: number; strides?: number; padding?: 'same' | 'valid'; activation?: 'relu' | 'linear' },
  seed: number,
) {
  const g = harness(seed);
  const kernel = g.data([opts.kernelSize, opts.kernelSize, x[3], opts.filters]);
  const bias = g.data([opts.filters]);
  const xData = g.data(x);
  return () => {
    const layer = tf.layers.conv2d({ activation: 'relu', ...opts });
    layer.build(x);
    layer.setWeights([tf.tensor(kernel, [opts.kernelSize, opts.kernelSize, x[3], opts.filters]), tf.tensor(bias)]);
    const input = tf.variable(tf.tensor(xData, x));
    try {
      const y = layer.apply(input) as tf.Tensor;
      const r = tf.tensor(harness(seed + 1).data(y.shape), y.shape);
      const [k, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => (layer.apply(input) as tf.Tensor).mul(r).sum(), [input, k, b]);
      return [y, grads[input.name], grads[k.name], grads[b.name]];
    } finally {
      input.dispose();
      layer.weights.forEach((w) => w.dispose());
    }
  };
}

describe('Conv2D layer with ReLU and bias: wasm (fused bias + ReLU) against cpu', () => {
  const cases: Array<{ x: Shape4; filters: number; kernelSize: number; strides?: number; padding?: 'same' | 'valid' }> = [
    { x: [4, 8, 8, 1], filters: 8, kernelSize: 3 }, // a first layer
    { x: [2, 7, 7, 8], filters: 5, kernelSize: 3, padding: 'valid' }, // channels off the vector path
    { x: [3, 9, 9, 4], filters: 12, kernelSize: 3, strides: 2 },
    { x: [16, 14, 14, 4], filters: 32, kernelSize: 1 }, // many 64-row blocks of the bias sum
  ];
  cases.forEach(({ x, ...opts }, i) => {
    const label = `${x.join('x')} -> ${opts.filters}, ${opts.kernelSize}x${opts.kernelSize}, stride ${opts.strides ?? 1}, ${opts.padding ?? 'valid'}`;
    it(label, () => compare(label, layerRun(x, opts, 100 + i)));
  });

  it('runs the fused kernels on wasm, and no Add, Relu, Step or Multiply of the layer', async () => {
    const names = await wasmKernels(() => tf.tidy(() => void layerRun([2, 6, 6, 4], { filters: 8, kernelSize: 3, padding: 'same' }, 7)()));
    assert.ok(names.has(BIAS_RELU) && names.has(BIAS_RELU_GRAD), [...names].join(' '));
    for (const slow of ['Relu', 'Step']) assert.ok(!names.has(slow), `${slow} still runs`);
  });

  it('leaves a linear layer to tfjs', async () => {
    const names = await wasmKernels(() => tf.tidy(() => void layerRun([2, 6, 6, 4], { filters: 8, kernelSize: 3, activation: 'linear' }, 8)()));
    assert.ok(!names.has(BIAS_RELU), [...names].join(' '));
  });
});

describe('the bias + ReLU kernel on NaN and infinities, as tfjs computes them', () => {
  for (const width of [8, 6]) {
    const shape = [5, width];
    const [xData, bias, r] = [h.data(shape), h.data([width]), h.data(shape)];
    // x + b: NaN, +Infinity, -Infinity, exactly 0 (relu keeps 0, step gives 0); dy: Infinity where z <= 0
    // (Infinity * 0 is NaN) and where z > 0.
    xData.set([NaN, Infinity, -Infinity, -bias[3]]);
    xData[width + 1] = -5;
    r[width + 1] = Infinity;
    r[2 * width] = xData[2 * width] + bias[0] > 0 ? -Infinity : r[2 * width];
    it(`width ${width}`, () =>
      compare(`width ${width}`, () => {
        const f = (x: tf.Tensor, b: tf.Tensor) =>
          tf.getBackend() === 'wasm' ? (tf.engine().runKernel(BIAS_RELU, { x, bias: b }) as tf.Tensor) : tf.relu(tf.add(x, b));
        const [x, b] = [tf.tensor(xData, shape), tf.tensor(bias)];
        return [f(x, b), ...tf.grads((xx: tf.Tensor, bb: tf.Tensor) => f(xx, bb).mul(tf.tensor(r, shape)).sum())([x, b])];
      }));
  }
});

describe('a linear Conv2D layer without bias (a cell ReLU-Conv-BN) runs the plain Conv2D op', () => {
  /** The layer's output and the gradients of sum(y * r) for its kernel and, when `inputGrad`, for x. */
  const linearRun = (x: Shape4, filters: number, kernelSize: number, inputGrad: boolean, seed: number) => {
    const g = harness(seed);
    const [kernel, xData] = [g.data([kernelSize, kernelSize, x[3], filters]), g.data(x)];
    return () => {
      const layer = tf.layers.conv2d({ filters, kernelSize, padding: 'same', useBias: false });
      layer.build(x);
      layer.setWeights([tf.tensor(kernel, [kernelSize, kernelSize, x[3], filters])]);
      const input = inputGrad ? tf.variable(tf.tensor(xData, x)) : tf.tensor(xData, x);
      try {
        const y = layer.apply(input) as tf.Tensor;
        const r = tf.tensor(harness(seed + 1).data(y.shape), y.shape);
        const k = layer.trainableWeights[0].read() as tf.Variable;
        const vars = inputGrad ? [input as tf.Variable, k] : [k];
        const { grads } = tf.variableGrads(() => (layer.apply(input) as tf.Tensor).mul(r).sum(), vars);
        return [y, ...vars.map((v) => grads[v.name])];
      } finally {
        input.dispose();
        layer.weights.forEach((w) => w.dispose());
      }
    };
  };
  for (const inputGrad of [true, false]) {
    const label = `16x6x6x8 -> 8, 3x3, ${inputGrad ? 'input and kernel' : 'kernel only'}`;
    it(label, () => compare(label, linearRun([16, 6, 6, 8], 8, 3, inputGrad, 300)));
  }

  it('skips the input gradient where only the kernel needs one (the stem on the data)', async () => {
    const names = await wasmKernels(() => tf.tidy(() => void linearRun([2, 6, 6, 8], 8, 3, false, 9)()));
    assert.ok(names.has('Conv2DBackpropFilter'), [...names].join(' '));
    for (const waste of ['Conv2DBackpropInput', 'FusedConv2D']) assert.ok(!names.has(waste), `${waste} runs: ${[...names].join(' ')}`);
  });
});
