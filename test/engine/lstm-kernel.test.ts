// The fused LSTM (kernels/sequence/lstm.ts and lstmGates.ts, through layers/fastLstm.ts) on wasm against tfjs's own LSTM on the
// cpu backend, same weights: outputs, the input gradient and every weight gradient, for widths that fill the
// SIMD GEMM's panels and widths that do not, units a multiple of four (SIMD gate passes) and not (JavaScript), forwards and backwards in time; and no tensors or heap buffers
// left behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { buildModel } from '../../src/engine/builder';
import { LSTM_KERNEL } from '../../src/engine/kernels/sequence/names';
import { fastLstm } from '../../src/engine/layers/fastLstm';
import type { ConcreteArch } from '../../src/shared/arch';
import { rng } from '../helpers/data';
import { assertNear, layerGrads, leakFree, type LayerGrads } from '../helpers/layerGrads';

const rand = rng(20261203);
const randomData = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

interface Case {
  batch: number;
  steps: number;
  features: number;
  units: number;
  returnSequences: boolean;
  goBackwards: boolean;
  /** Input magnitude: large values drive the gates into saturation. */
  scale?: number;
}

/** Forward and gradients of sum(y * probe) through an LSTM made by `make`, with the given weights. */
function run(make: (args: object) => tf.layers.Layer, c: Case, weights: Float32Array[], xData: Float32Array, probe: Float32Array, fused: boolean): LayerGrads {
  const layer = make({ units: c.units, returnSequences: c.returnSequences, goBackwards: c.goBackwards, activation: 'tanh', recurrentActivation: 'sigmoid' });
  return layerGrads(layer, tf.tensor3d(xData, [c.batch, c.steps, c.features]), {
    weights,
    probe,
    outShape: c.returnSequences ? [c.batch, c.steps, c.units] : [c.batch, c.units],
    training: true,
    built: (l, x) => {
      const f = (l as unknown as { fusable?: (x: tf.Tensor, k: object) => boolean }).fusable;
      assert.equal(f?.call(l, x, { training: true }) ?? false, fused, `fused path ${fused ? '' : 'not '}taken`);
    },
  });
}

async function compare(c: Case): Promise<void> {
  const g = 4 * c.units;
  const weights = [randomData(c.features * g, 0.4), randomData(c.units * g, 0.4), randomData(g, 0.3)];
  const xData = randomData(c.batch * c.steps * c.features, c.scale ?? 1);
  const probe = randomData(c.batch * (c.returnSequences ? c.steps : 1) * c.units);

  assert.ok(await tf.setBackend('cpu'));
  const expected = run((a) => tf.layers.lstm(a as never), c, weights, xData, probe, false);

  assert.ok(await tf.setBackend('wasm'));
  const Fused = fastLstm(tf);
  const actual = leakFree(() => run((a) => new Fused(a as never), c, weights, xData, probe, true));

  assertNear(actual.y, expected.y, 'output');
  assertNear(actual.dx, expected.dx, 'input gradient');
  ['kernel', 'recurrent kernel', 'bias'].forEach((name, i) => assertNear(actual.dWeights[i], expected.dWeights[i], `${name} gradient`));
}

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('fused LSTM on wasm against tfjs on cpu', () => {
  it('whole sequences, widths off the GEMM panels (features 6, units 10)', () =>
    compare({ batch: 5, steps: 7, features: 6, units: 10, returnSequences: true, goBackwards: false }));
  it('SIMD gate passes (units 12), input width off the panels (features 6), saturating pre-activations', () =>
    compare({ batch: 6, steps: 5, features: 6, units: 12, returnSequences: true, goBackwards: false, scale: 8 }));
  it('last step only, panel widths (features 16, units 8)', () =>
    compare({ batch: 9, steps: 4, features: 16, units: 8, returnSequences: false, goBackwards: false }));
  it('backwards in time (the backward half of a bidirectional layer), odd units', () =>
    compare({ batch: 3, steps: 5, features: 4, units: 3, returnSequences: true, goBackwards: true }));
  // (One step would be the edge case, but tfjs's own LSTM cannot take the gradient of one: Unpack's gradient
  // throws, so there is no reference.)
  it('a batch of one, two steps', () => compare({ batch: 1, steps: 2, features: 3, units: 4, returnSequences: false, goBackwards: false }));

  it('computes the input gradient (dz . W^T, a BatchMatMul) only when it is asked for', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const config = tf.getKernel(tf.BatchMatMul, 'wasm')!;
    const inner = config.kernelFunc;
    let products = 0;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (a) => (products++, inner(a));
    const Fused = fastLstm(tf);
    const layer = new Fused({ units: 8, recurrentActivation: 'sigmoid' } as never);
    const x = tf.randomNormal([3, 4, 8]);
    try {
      const loss = (input: tf.Tensor) => tf.sum(layer.apply(input, { training: true }) as tf.Tensor) as tf.Scalar;
      tf.dispose(loss(x)); // the first call builds the layer: count from the next
      products = 0;
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => loss(x), vars);
      tf.dispose([value, ...Object.values(grads)]);
      assert.equal(products, 0, 'weight gradients alone (x is a network input) ran the input-gradient product');
      tf.dispose(tf.grad(loss)(x));
      assert.equal(products, 1, 'the input gradient ran one product');
    } finally {
      (config as { kernelFunc: tf.KernelFunc }).kernelFunc = inner;
      tf.dispose(x);
      layer.dispose();
    }
  });

  it('last step only: the kernel hands it over, no Slice (on wasm it reads its whole input out of the heap)', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const Fused = fastLstm(tf);
    const layer = new Fused({ units: 8, recurrentActivation: 'sigmoid' } as never);
    const x = tf.randomNormal([3, 4, 8]);
    try {
      const loss = () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      tf.dispose(loss());
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { kernels } = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(loss, vars);
        tf.dispose([value, ...Object.values(grads)]);
      });
      const names = kernels.map((k) => k.name);
      assert.ok(names.includes(LSTM_KERNEL) && !names.includes('Slice'), names.join(' '));
    } finally {
      tf.dispose(x);
      layer.dispose();
    }
  });

  it('a layer the kernel does not compute (hard sigmoid gates) keeps tfjs’s own call', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const Fused = fastLstm(tf);
    const layer = new Fused({ units: 4, recurrentActivation: 'hardSigmoid' } as never);
    const x = tf.zeros([2, 3, 5]);
    layer.apply(x);
    assert.equal((layer as unknown as { fusable(x: tf.Tensor, k: object): boolean }).fusable(x, {}), false);
    tf.dispose(x);
    layer.dispose();
  });
});

describe('bidirectional LSTM from the builder', () => {
  const arch: ConcreteArch = {
    kind: 'sequential',
    layers: [{ type: 'lstm', units: 6, returnSequences: true, bidirectional: true, activation: 'tanh', source: 'architecture.layers[0]' }],
  };
  it('predicts on wasm (fused, both directions) as on cpu, and saves as plain LSTM layers', async () => {
    const x = randomData(4 * 5 * 3);
    const predict = async (backend: string) => {
      assert.ok(await tf.setBackend(backend));
      const model = buildModel(arch, [5, 3], 2, 'classification', 7);
      try {
        const inner = model.layers[1] as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
        assert.equal(inner.forwardLayer.getClassName(), 'LSTM');
        assert.equal(inner.backwardLayer.getClassName(), 'LSTM');
        assert.match(JSON.stringify(model.toJSON(null, false)), /"class_name":"LSTM"/);
        return tf.tidy(() => (model.predict(tf.tensor3d(x, [4, 5, 3])) as tf.Tensor).dataSync() as Float32Array);
      } finally {
        model.dispose();
      }
    };
    const cpu = await predict('cpu');
    const wasm = await predict('wasm');
    assertNear(wasm, cpu, 'bidirectional prediction');
  });
});
