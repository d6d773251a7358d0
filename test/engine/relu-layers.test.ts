// DepthwiseConv2D and SeparableConv2D layers with ReLU and bias on wasm (their convolution, then the fused bias +
// ReLU kernel, routed by kernels/depthwiseLayer.ts) and Dense layers of any activation (NasDense, denseLayer.ts)
// against tfjs's own layer code on the cpu backend: output and the gradients for the input and every weight.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { BIAS_RELU, BIAS_RELU_GRAD } from '../../src/engine/kernels/biasRelu';
import { NAS_DENSE } from '../../src/engine/kernels/denseLayer';
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
  activation?: 'relu' | 'linear' | 'softmax' | 'tanh';
  useBias?: boolean;
  dilationRate?: number;
}

/** A layer with seeded weights: its output and the gradients of sum(y * r) for x and each weight. */
function layerRun(x: number[], opts: Opts, seed: number) {
  const g = harness(seed);
  const { kind, ...config } = opts;
  const make = (): tf.layers.Layer =>
    kind === 'dense'
      ? tf.layers.dense({ activation: 'relu', units: 1, ...config } as Parameters<typeof tf.layers.dense>[0])
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
    // Linear, softmax (a classification head) and tanh on the linear kernel; with and without a bias.
    { x: [16, 40], kind: 'dense', units: 10, activation: 'linear' },
    { x: [16, 40], kind: 'dense', units: 10, activation: 'softmax' },
    { x: [4, 7, 9], kind: 'dense', units: 12, activation: 'tanh' },
    { x: [6, 12], kind: 'dense', units: 5, activation: 'linear', useBias: false },
    { x: [6, 12], kind: 'dense', units: 5, activation: 'relu', useBias: false },
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
      // Dense runs its GEMM and bias + ReLU inside NAS_DENSE, whose inner kernels the engine does not see.
      assert.ok(names.has(kind === 'dense' ? NAS_DENSE : BIAS_RELU) && names.has(BIAS_RELU_GRAD), [...names].join(' '));
      for (const slow of ['Relu', 'Step', 'NasReluGrad', 'Add']) assert.ok(!names.has(slow), `${slow} still runs`);
    });

    if (kind !== 'dense')
      it(`${kind}: leaves a linear layer to tfjs`, async () => {
        const names = await wasmKernels(() => tf.tidy(() => void layerRun(small[kind], { kind, ...sizes, activation: 'linear' }, 10)()));
        assert.ok(!names.has(BIAS_RELU), [...names].join(' '));
      });
  }

  it('dense: a linear layer runs one kernel forward and neither Add nor the fused matMul', async () => {
    const names = await wasmKernels(() => tf.tidy(() => void layerRun([6, 12], { kind: 'dense', units: 8, activation: 'linear' }, 11)()));
    assert.ok(names.has(NAS_DENSE), [...names].join(' '));
    for (const slow of ['Add', '_FusedMatMul', BIAS_RELU]) assert.ok(!names.has(slow), `${slow} still runs`);
  });

  it("dense: no input gradient when only the weights' are asked for (a network's first layer)", async () => {
    assert.ok(await tf.setBackend('wasm'));
    const layer = tf.layers.dense({ units: 8, activation: 'linear' });
    const x = tf.randomNormal([6, 12]);
    layer.build(x.shape);
    try {
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const run = () => tf.variableGrads(() => (layer.apply(x) as tf.Tensor).square().sum(), vars);
      const { kernels } = await tf.profile(() => {
        const { value, grads } = run();
        tf.dispose([value, ...Object.values(grads)]);
      });
      // The kernel's gradient only (the forward product runs inside NAS_DENSE): x's, [6,8] x [8,12]^T, is never made.
      assert.deepEqual(
        kernels.filter((k) => k.name === 'BatchMatMul').map((k) => k.outputShapes),
        [[[12, 8]]],
      );
    } finally {
      x.dispose();
      layer.weights.forEach((w) => w.dispose());
    }
  });
});
