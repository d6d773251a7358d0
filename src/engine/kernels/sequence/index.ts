// Kernels for sequence models on wasm: the ones tfjs lacks there (embedding gradients), and fused recurrent
// and attention kernels.
import * as tf from '@tensorflow/tfjs';
import { attentionConfig, attentionGradConfig } from './attention';
import { layerNormConfig, layerNormGradConfig } from './layerNorm';
import { lstmConfig, lstmGradConfig } from './lstm';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum';

const missing = [unsortedSegmentSumConfig, lstmConfig, lstmGradConfig, attentionConfig, attentionGradConfig, layerNormConfig, layerNormGradConfig];

/** Safe to call any number of times; a kernel a later tfjs ships itself is left alone. */
export function registerSequenceKernels(): void {
  for (const config of missing) if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
}

export { attentionConfig, attentionGradConfig, layerNormConfig, layerNormGradConfig, lstmConfig, lstmGradConfig, unsortedSegmentSumConfig };
