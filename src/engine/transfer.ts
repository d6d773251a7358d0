// Moving trained state between models and processes: continuing a promoted trial from its weights and
// optimizer state, starting an evolution child from its parent's weights wherever the shapes match, a
// pretrained backbone under the searched head, and measuring inference latency.
import * as tf from '@tensorflow/tfjs';
import type { ModelArtifactsMessage, OptimizerStateMessage } from '../shared/protocol';
import { BuildError } from './builder';
import type { NamedTensor } from './trainer';

/** The tensors of a saved model, by weight name (`layer/kernel`). The caller disposes them. */
export function decodeWeights(a: ModelArtifactsMessage): Map<string, tf.Tensor> {
  const map = tf.io.decodeWeights(a.weightData, a.weightSpecs as tf.io.WeightsManifestEntry[]);
  return new Map(Object.entries(map));
}

/**
 * Copies weights from `source` into `model`, layer by layer: a layer takes them when every one of its weights
 * has a namesake of the same shape (layer names come from spec paths, so the same layer of two architectures
 * has the same name). Returns how many layers with weights took them, of how many there are.
 */
export function assignMatching(model: tf.LayersModel, source: ModelArtifactsMessage): { layers: number; total: number } {
  const named = decodeWeights(source);
  let layers = 0;
  let total = 0;
  try {
    for (const layer of allLayers(model)) {
      const ws = layer.weights;
      if (!ws.length) continue;
      total++;
      const values = ws.map((w) => named.get(w.originalName));
      if (values.every((v, i) => v && sameShape(v.shape, ws[i].shape))) {
        layer.setWeights(values as tf.Tensor[]);
        layers++;
      }
    }
  } finally {
    for (const t of named.values()) t.dispose();
  }
  return { layers, total };
}

/** Every layer, inside nested models too (a backbone is one). */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  for (const l of model.layers) {
    if (l instanceof tf.LayersModel) out.push(...allLayers(l));
    else out.push(l);
  }
  return out;
}

function sameShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Restores the exact weights of a checkpoint of the same architecture; throws if any layer does not match. */
export function restoreWeights(model: tf.LayersModel, source: ModelArtifactsMessage): void {
  const r = assignMatching(model, source);
  if (r.layers !== r.total) throw new BuildError(`the saved checkpoint does not fit the model (${r.layers} of ${r.total} layers match)`);
}

/** An optimizer's state as one buffer (the iteration count is int32, the rest float32). Disposes nothing. */
export async function packOptimizer(className: string, weights: NamedTensor[]): Promise<OptimizerStateMessage> {
  const specs = weights.map((w) => ({
    name: w.name,
    shape: [...w.tensor.shape],
    dtype: (w.tensor.dtype === 'int32' ? 'int32' : 'float32') as 'int32' | 'float32',
  }));
  const parts = await Promise.all(
    weights.map(async (w) => (w.tensor.dtype === 'int32' ? new Int32Array(await w.tensor.data()) : new Float32Array(await w.tensor.data()))),
  );
  const bytes = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return { className, specs, data: out.buffer };
}

/** The tensors of a packed optimizer state (the caller disposes them). */
export function unpackOptimizer(m: OptimizerStateMessage): NamedTensor[] {
  const out: NamedTensor[] = [];
  let at = 0;
  const bytes = m.data instanceof ArrayBuffer ? m.data : (m.data as Uint8Array).slice().buffer;
  for (const s of m.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = s.dtype === 'int32' ? new Int32Array(bytes.slice(at, at + 4 * n)) : new Float32Array(bytes.slice(at, at + 4 * n));
    at += 4 * n;
    out.push({ name: s.name, tensor: tf.tensor(values, s.shape, s.dtype) });
  }
  return out;
}

/** Median milliseconds of a forward pass over one batch of `x` (its first `batch` rows), after a warm-up. */
export async function measureLatency(model: tf.LayersModel, x: tf.Tensor, batch: number, runs = 7): Promise<number> {
  const n = Math.max(1, Math.min(batch, x.shape[0]));
  const input = x.slice(0, n);
  try {
    const once = async () => {
      const t0 = performance.now();
      const y = model.predict(input) as tf.Tensor;
      await y.data();
      y.dispose();
      return performance.now() - t0;
    };
    await once();
    await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return times[times.length >> 1];
  } finally {
    input.dispose();
  }
}

export interface Backbone {
  artifacts: tf.io.ModelArtifacts;
  trainable: boolean;
  outputLayer?: string;
}

/**
 * A fresh copy of the backbone (from its artifacts, so every trial starts from the pretrained weights), cut at
 * `outputLayer`, frozen unless it is trainable.
 */
export async function loadBackbone(b: Backbone): Promise<tf.LayersModel> {
  const full = await tf.loadLayersModel(tf.io.fromMemory(b.artifacts));
  let model = full;
  if (b.outputLayer) {
    let layer: tf.layers.Layer;
    try {
      layer = full.getLayer(b.outputLayer);
    } catch {
      full.dispose();
      throw new BuildError(`the backbone has no layer "${b.outputLayer}"`);
    }
    model = tf.model({ inputs: full.inputs, outputs: layer.output as tf.SymbolicTensor, name: 'backbone' });
    // The layers after the cut belong to no model the trial disposes: their weights would outlive every trial.
    const kept = new Set(model.layers);
    for (const l of full.layers) if (!kept.has(l)) l.dispose();
  }
  model.trainable = b.trainable;
  return model;
}

/** The feature shape a backbone hands to the head (without the batch axis). */
export function featureShape(backbone: tf.LayersModel): number[] {
  const shape = backbone.outputs[0].shape;
  return shape.slice(1).map((d) => d ?? -1);
}

/** backbone -> head as one model, so training, saving and export see a single network. */
export function withBackbone(backbone: tf.LayersModel, head: tf.LayersModel, inputShape: readonly number[]): tf.LayersModel {
  const expected = backbone.inputs[0].shape.slice(1);
  if (!sameShape(expected, inputShape))
    throw new BuildError(`the backbone takes inputs of shape [${expected.join(', ')}], but the data has [${inputShape.join(', ')}]`);
  const out = head.apply(backbone.outputs) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: out, name: 'nas_model' });
}
