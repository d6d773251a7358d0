// Gradient kernels the wasm backend of tfjs 4.22 lacks (without them model.fit of any conv net throws
// "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"), plus a faster Conv2DBackpropInput.
import * as tf from '@tensorflow/tfjs';
// Loaded first on purpose: importing the wasm package registers its kernels, overwriting any registered before.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2DBackpropInputConfig, setOriginalConv2DBackpropInput } from './conv2dBackpropInput';
import { depthwiseBackpropFilterConfig } from './depthwiseBackpropFilter';
import { depthwiseBackpropInputConfig } from './depthwiseBackpropInput';

const missing = [conv2DBackpropFilterConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig];

/** Safe to call any number of times, before or after the wasm backend is initialised. */
export function registerWasmGradientKernels(): void {
  for (const config of missing) {
    // A later tfjs may ship its own; that one wins.
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  const current = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  if (current?.kernelFunc === conv2DBackpropInputConfig.kernelFunc) return;
  setOriginalConv2DBackpropInput(current);
  if (current !== undefined) tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
  tf.registerKernel(conv2DBackpropInputConfig);
}

export { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig };
