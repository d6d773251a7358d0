// NAS Studio's own tfjs layer classes, as model.json names them, and the loader that an export ships so
// plain @tensorflow/tfjs can read such a model. The engine defines the classes (src/engine/layers/); the
// export command, which never loads tfjs, only needs to know the names.

export const ATTENTION_CLASS = 'NasMultiHeadSelfAttention';
export const POSITIONAL_CLASS = 'NasPositionalEmbedding';
export const CUSTOM_LAYER_CLASSES: readonly string[] = [ATTENTION_CLASS, POSITIONAL_CLASS];

/** The loader bundle (dist/) and its name next to an exported model.json. */
export const LAYERS_LOADER_FILE = 'nas-layers.js';

/** The custom classes a layers-model topology uses (its `class_name`s), in order of first use. */
export function customClassesIn(modelTopology: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.class_name === 'string' && CUSTOM_LAYER_CLASSES.includes(o.class_name)) found.add(o.class_name);
      Object.values(o).forEach(visit);
    }
  };
  visit(modelTopology);
  return [...found];
}
