// Gradient kernels the wasm backend of tfjs 4.22 lacks (without them model.fit of any conv net throws
// "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"), plus faster versions of wasm kernels
// that training leans on (each file says what was slow about the original).
import * as tf from '@tensorflow/tfjs';
// Loaded first on purpose: importing the wasm package registers its kernels, overwriting any registered before.
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMulConfig } from './batchMatMul';
import { conv2DConfig, fusedConv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2DBackpropInputConfig } from './conv2dBackpropInput';
import { depthwiseBackpropFilterConfig } from './depthwiseBackpropFilter';
import { depthwiseBackpropInputConfig } from './depthwiseBackpropInput';
import { depthwiseConv2dConfig } from './depthwiseConv2d';
import { gatherConfig } from './gather';
import { castConfig, identityConfig } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { registerMixedKernels } from './mixed';
import { avgPoolConfig, maxPoolConfig } from './pools';
import { replaceWasmKernel } from './override';
import { registerSequenceKernels } from './sequence';
import { sumConfig } from './sum';
import { registerTrainingKernels } from './training';

const missing = [conv2DBackpropFilterConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig];
const replacements = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dConfig,
  batchMatMulConfig,
  maxPoolConfig,
  avgPoolConfig,
  maxPoolGradConfig,
  sumConfig,
  identityConfig,
  castConfig,
  gatherConfig,
];

/** Safe to call any number of times, before or after the wasm backend is initialised. */
export function registerWasmGradientKernels(): void {
  for (const config of missing) {
    // A later tfjs may ship its own; that one wins.
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  for (const config of replacements) replaceWasmKernel(config);
  registerTrainingKernels();
  registerSequenceKernels();
  registerMixedKernels();
}

export {
  batchMatMulConfig,
  castConfig,
  conv2DConfig,
  fusedConv2DConfig,
  gatherConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseConv2dConfig,
  identityConfig,
  maxPoolConfig,
  avgPoolConfig,
  maxPoolGradConfig,
  sumConfig,
};
