// NAS Studio's own layers (multi-head self-attention, positional embedding, the broadcasting layer norm):
// gradients against finite differences, a save/load round trip through the standard layers-model format,
// and no tensors left behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fastLayerNorm, registerNasLayers, sinusoidTable } from '../../src/engine/layers';
import { modelArtifacts } from '../../src/engine/modelio';

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});

const { MultiHeadSelfAttention, PositionalEmbedding } = registerNasLayers(tf);

/** A fixed pseudo-random tensor (tf.randomNormal with a seed), so failures reproduce. */
const fixed = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/**
 * Checks d(sum(layer(x) * r))/d(every weight and x) against central differences, element by element. In float32,
 * eps 1e-2 keeps the rounding error of the difference (~1e-5 / eps) well below the truncation error (~eps^2).
 */
function checkGradients(layer: tf.layers.Layer, x: tf.Tensor, label: string) {
  const r = fixed(layer.computeOutputShape(x.shape) as number[], 99);
  const loss = (input: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r)));
  loss(x).dispose(); // builds the weights
  const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar);
  const dx = tf.grad((input: tf.Tensor) => loss(input))(x);
  const targets: { name: string; value: tf.Tensor; grad: tf.Tensor; set: (v: tf.Tensor) => void }[] = layer.trainableWeights.map((w) => ({
    name: w.originalName,
    value: w.read(),
    grad: grads[w.originalName] ?? grads[w.name],
    set: (v: tf.Tensor) => w.write(v),
  }));
  let input = x;
  targets.push({ name: 'input', value: x, grad: dx, set: (v) => (input = v) });
  const eps = 1e-2;
  for (const t of targets) {
    assert.ok(t.grad, `${label}: no gradient for ${t.name}`);
    const base = t.value.dataSync().slice();
    const analytic = t.grad.dataSync();
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) => {
        const v = base.slice();
        v[i] += delta;
        const tv = tf.tensor(v, t.value.shape);
        t.set(tv);
        const l = loss(t.name === 'input' ? input : x);
        const out = l.dataSync()[0];
        l.dispose();
        tv.dispose();
        return out;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const tol = 2e-3 + 2e-2 * Math.abs(numeric);
      assert.ok(Math.abs(numeric - analytic[i]) < tol, `${label}: d/d${t.name}[${i}] analytic ${analytic[i]} vs numeric ${numeric}`);
    }
    const restore = tf.tensor(base, t.value.shape);
    t.set(restore);
    restore.dispose();
  }
  tf.dispose([r, dx, ...Object.values(grads)]);
}

describe('MultiHeadSelfAttention', () => {
  it('gradients of input and weights agree with finite differences', () => {
    const layer = new MultiHeadSelfAttention({ heads: 2, keySize: 3, seed: 4 });
    const x = fixed([2, 4, 5], 1);
    checkGradients(layer, x, 'attention');
    layer.dispose();
    x.dispose();
  });

  it('a head sees other steps: changing one step changes every output step', () => {
    const layer = new MultiHeadSelfAttention({ heads: 1, keySize: 4, seed: 2 });
    const x = fixed([1, 5, 4], 3);
    const y0 = layer.apply(x) as tf.Tensor;
    const x1 = tf.tidy(() => x.add(tf.oneHot([4], 5).reshape([1, 5, 1]).mul(3)));
    const y1 = layer.apply(x1) as tf.Tensor;
    const changed = tf.tidy(() => tf.abs(y1.sub(y0)).max(-1).dataSync());
    for (let t = 0; t < 5; t++) assert.ok(changed[t] > 1e-4, `step ${t} did not react to step 4`);
    tf.dispose([x, x1, y0, y1]);
    layer.dispose();
  });
});

describe('PositionalEmbedding', () => {
  it('learned: gradients agree with finite differences', () => {
    const layer = new PositionalEmbedding({ kind: 'learned', seed: 5 });
    const x = fixed([2, 3, 4], 6);
    checkGradients(layer, x, 'positional');
    layer.dispose();
    x.dispose();
  });

  it('sinusoidal adds the fixed table, with no weights', () => {
    const layer = new PositionalEmbedding({ kind: 'sinusoidal' });
    const x = tf.zeros([1, 3, 4]);
    const y = layer.apply(x) as tf.Tensor;
    assert.equal(layer.countParams(), 0);
    assert.deepEqual(Array.from(y.dataSync()), Array.from(sinusoidTable(3, 4)));
    assert.ok(Math.abs(sinusoidTable(3, 4)[4 + 0] - Math.sin(1)) < 1e-6);
    tf.dispose([x, y]);
  });
});

describe('BroadcastLayerNormalization', () => {
  it('computes what tfjs LayerNormalization does, and its gradients agree with finite differences', () => {
    const Fast = fastLayerNorm(tf);
    const fast = new Fast({});
    const slow = tf.layers.layerNormalization({});
    const x = fixed([2, 3, 6], 8);
    const a = fast.apply(x) as tf.Tensor;
    const b = slow.apply(x) as tf.Tensor;
    assert.ok(tf.tidy(() => tf.abs(a.sub(b)).max().dataSync()[0]) < 1e-5);
    assert.equal(fast.getClassName(), 'LayerNormalization');
    checkGradients(fast, x, 'layerNormalization');
    tf.dispose([x, a, b]);
    fast.dispose();
    slow.dispose();
  });
});

describe('serialization', () => {
  it('a model with the custom layers saves to the layers format and loads back with the same predictions', async () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [4, 6] });
    let h = new PositionalEmbedding({ kind: 'learned', seed: 1 }).apply(input) as tf.SymbolicTensor;
    h = new MultiHeadSelfAttention({ heads: 3, keySize: 2, seed: 2 }).apply(h) as tf.SymbolicTensor;
    h = new PositionalEmbedding({ kind: 'sinusoidal' }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling1d({}).apply(h) as tf.SymbolicTensor });
    const artifacts = await modelArtifacts(model);
    const topology = JSON.stringify(artifacts.modelTopology);
    assert.match(topology, /"class_name":"NasMultiHeadSelfAttention"/);
    assert.match(topology, /"heads":3/);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const x = fixed([2, 4, 6], 3);
    const [p, q] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    assert.deepEqual(Array.from(q.dataSync()), Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    model.dispose();
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
