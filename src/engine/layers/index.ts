// NAS Studio's own tfjs layers, registered for (de)serialization with whichever tfjs is passed in. The engine
// registers them with its tfjs; an exported model ships dist/nas-layers.js, which does the same with the
// user's, so `tf.loadLayersModel` reads the model with plain @tensorflow/tfjs.
import { defineAttention } from './attention';
import { defineLayerNorm } from './layerNorm';
import { definePositional } from './positional';
import type { Tf } from './tf';

export { ATTENTION_CLASS, type AttentionArgs } from './attention';
export { POSITIONAL_CLASS, sinusoidTable, type PositionalArgs, type PositionalKind } from './positional';

export interface NasLayers {
  MultiHeadSelfAttention: ReturnType<typeof defineAttention>;
  PositionalEmbedding: ReturnType<typeof definePositional>;
}

const registered = new WeakMap<object, NasLayers>();
const layerNorms = new WeakMap<object, ReturnType<typeof defineLayerNorm>>();

/**
 * The engine's LayerNormalization: the standard class (same name, config and weights) with a faster call.
 * Not registered: a saved model names the standard class, which every tfjs has.
 */
export function fastLayerNorm(tf: Tf): ReturnType<typeof defineLayerNorm> {
  let cls = layerNorms.get(tf.serialization);
  if (!cls) layerNorms.set(tf.serialization, (cls = defineLayerNorm(tf)));
  return cls;
}

/** Defines and registers the layer classes with `tf`, once per tfjs instance. */
export function registerNasLayers(tf: Tf): NasLayers {
  const known = registered.get(tf.serialization);
  if (known) return known;
  const layers: NasLayers = { MultiHeadSelfAttention: defineAttention(tf), PositionalEmbedding: definePositional(tf) };
  for (const cls of Object.values(layers)) tf.serialization.registerClass(cls);
  registered.set(tf.serialization, layers);
  return layers;
}
