// DepthwiseConv2D, SeparableConv2D and Dense layers with ReLU and bias on wasm (their convolution or matMul, then
// the fused bias + ReLU kernel, routed by kernels/depthwiseLayer.ts and denseLayer.ts) against tfjs's own layer
// code on the cpu backend: output and the gradients for the input and every weight.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { BIAS_RELU, BIAS_RELU_GRAD } from '../../src/engine/kernels/biasRelu';
import { compare, harness } from '../helpers/kernels';

before(async () => {
  await initBackend('wasm');
  await tf.setBackend('cpu');
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
});

interface Opts {
  kind: 'depthwise' | 'separable' | 'dense';
  kernelSize?: number;
  units?: number;
  depthMultiplier?: number;
  filters?: number;
  strides?: number;
  padding?: 'same' | 'valid';
  activation?: 'relu' | 'linear';
  dilationRate?: number;
}

/** A layer with seeded weights: its output and the gradients of sum(y * r) for x and each weight. */
function layerRun(x: number[], opts: Opts, seed: number) {
  const g = harness(seed);
  const { kind, ...config } = opts;
  const make = (): tf.layers.Layer =>
    kind === 'dense'
      ? tf.layers.dense({ activation: 'relu', units: 1, ...config })
      : kind === 'depthwise'
        ? tf.layers.depthwiseConv2d({ activation: 'relu', kernelSize: 1, ...config })
        : tf.layers.separableConv2d({ activation: 'relu', filters: 1, kernelSize: 1, ...config });
  const probe = make();
  probe.build(x);
  const weights = probe.getWeights().map((w) => ({ data: g.data(w.shape), shape: w.shape }));
  probe.getWeights().forEach((w) => w.dispose());
  const xData = g.data(x);
  return () => {
    const layer = make();
    layer.build(x);
    layer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
    const input = tf.variable(tf.tensor(xData, x));
    try {
      const y = layer.apply(input) as tf.Tensor;
      const r = tf.tensor(harness(seed + 1).data(y.shape), y.shape);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => (layer.apply(input) as tf.Tensor).mul(r).sum(), [input, ...vars]);
      return [y, grads[input.name], ...vars.map((v) => grads[v.name])];
    } finally {
      input.dispose();
      layer.weights.forEach((w) => w.dispose());
    }
  };
}

async function wasmKernels(fn: () => void): Promise<Set<string>> {
  assert.ok(await tf.setBackend('wasm'));
  return new Set((await tf.profile(fn)).kernels.map((k) => k.name));
}

describe('depthwise, separable and dense layers with ReLU and bias: wasm (fused bias + ReLU) against cpu', () => {
  const cases: Array<{ x: number[] } & Opts> = [
    { x: [8, 14, 14, 32], kind: 'depthwise', kernelSize: 3, padding: 'same' },
    { x: [3, 9, 9, 6], kind: 'depthwise', kernelSize: 3, depthMultiplier: 2, strides: 2 },
    { x: [4, 14, 14, 16], kind: 'separable', kernelSize: 3, filters: 32, strides: 2, padding: 'same' },
    { x: [2, 9, 9, 5], kind: 'separable', kernelSize: 3, filters: 7, depthMultiplier: 2 },
    { x: [32, 96], kind: 'dense', units: 64 },
    // Widths off the GEMM's panel of 8 and the SIMD lanes' 4 (tails on every path), and a rank-3 input.
    { x: [5, 13], kind: 'dense', units: 11 },
    { x: [3, 7, 20], kind: 'dense', units: 16 },
  ];
  cases.forEach(({ x, ...opts }, i) => {
    const label = `${opts.kind} ${x.join('x')}, ${JSON.stringify(opts)}`;
    it(label, () => compare(label, layerRun(x, opts, 300 + i)));
  });

  const small = { depthwise: [2, 6, 6, 4], separable: [2, 6, 6, 4], dense: [6, 12] };
  for (const kind of ['depthwise', 'separable', 'dense'] as const) {
    const sizes = kind === 'dense' ? { units: 8 } : { kernelSize: 3, filters: 8, padding: 'same' as const };
    it(`${kind}: runs the fused kernels on wasm and no Relu or Step`, async () => {
      const names = await wasmKernels(() => tf.tidy(() => void layerRun(small[kind], { kind, ...sizes }, 9)()));
      assert.ok(names.has(BIAS_RELU) && names.has(BIAS_RELU_GRAD), [...names].join(' '));
      for (const slow of ['Relu', 'Step', 'NasReluGrad', 'Add']) assert.ok(!names.has(slow), `${slow} still runs`);
    });

    it(`${kind}: leaves a linear layer to tfjs`, async () => {
      const names = await wasmKernels(() => tf.tidy(() => void layerRun(small[kind], { kind, ...sizes, activation: 'linear' }, 10)()));
      assert.ok(!names.has(BIAS_RELU), [...names].join(' '));
    });
  }
});
