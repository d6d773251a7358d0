// The loader that ships with an exported model (dist/nas-layers.js, copied next to model.json): it registers
// NAS Studio's own layer classes with the user's @tensorflow/tfjs, after which tf.loadLayersModel reads the
// model. Bundled on its own, without tfjs: the user's copy is passed in.
//   Node:    require('./nas-layers.js').register(require('@tensorflow/tfjs'))
//   Browser: <script src="tf.min.js"></script><script src="nas-layers.js"></script> (registers with window.tf)
import { CUSTOM_LAYER_CLASSES } from '../../shared/layers';
import { registerNasLayers } from './index';
import type { Tf } from './tf';

/** Registers the classes with `tf` (once per tfjs) and returns their names, as they appear in model.json. */
export function register(tf: Tf): string[] {
  registerNasLayers(tf);
  return [...CUSTOM_LAYER_CLASSES];
}
