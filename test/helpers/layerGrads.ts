// For the fused sequence layers' tests (attention, layer norm, LSTM): one layer's output and gradients with
// given weights, run on the backend in use, so the fused wasm kernels can be held against tfjs's own path on cpu.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

export interface LayerGrads {
  y: Float32Array;
  dx: Float32Array;
  /** One per trainable weight, in the layer's order. */
  dWeights: Float32Array[];
}

/**
 * The output, the input gradient and every trainable weight's gradient of sum(layer(x) * probe), the layer built
 * on `x` and given `weights`. Both are disposed here. `training` applies the layer in training mode for the loss;
 * `built` looks at the layer once its weights are set (which path it will take).
 */
export function layerGrads(
  layer: tf.layers.Layer,
  x: tf.Tensor,
  o: { weights: Float32Array[]; probe: Float32Array; outShape?: number[]; training?: boolean; built?: (layer: tf.layers.Layer, x: tf.Tensor) => void },
): LayerGrads {
  try {
    tf.dispose(layer.apply(x) as tf.Tensor); // builds it
    const shapes = layer.getWeights().map((w) => w.shape);
    const fresh = o.weights.map((w, i) => tf.tensor(w, shapes[i]));
    layer.setWeights(fresh);
    tf.dispose(fresh);
    o.built?.(layer, x);
    const outShape = o.outShape ?? x.shape;
    const kwargs = o.training ? { training: true } : {};
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, kwargs) as tf.Tensor, tf.tensor(o.probe, outShape)));
    const y = tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync() as Float32Array);
    const dx = tf.tidy(() => tf.grad(loss)(x).dataSync() as Float32Array);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => loss(x) as tf.Scalar, vars);
    const dWeights = vars.map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    return { y, dx, dWeights };
  } finally {
    x.dispose();
    layer.dispose();
  }
}

/** `run()` on the current backend, proving that it left no tensor and no backend buffer behind. */
export function leakFree<T>(run: () => T): T {
  const tensors = tf.memory().numTensors;
  const ids = tf.engine().backend.numDataIds();
  const out = run();
  assert.equal(tf.memory().numTensors, tensors, 'tensor leak');
  assert.equal(tf.engine().backend.numDataIds(), ids, 'backend buffer leak');
  return out;
}

/** |a - e| <= tol * (|e| + max|e|) element by element; a reference of all zeros would prove nothing. */
export function assertNear(a: Float32Array, e: Float32Array, label: string, tol = 2e-5): void {
  assert.equal(a.length, e.length, `${label}: length`);
  const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 0, `${label}: all zero`);
  e.forEach((v, i) => assert.ok(Math.abs(a[i] - v) <= tol * (Math.abs(v) + scale), `${label}[${i}]: ${a[i]} vs ${v}`));
}
