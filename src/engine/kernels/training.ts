// Registration of the fused training kernels (batch norm, Adam, cross-entropy, average-pool gradient, mean, dropout, conv and dense bias + ReLU, ReLU and softmax gradients) and the layer/optimizer routes that reach them.
// Called from registerWasmGradientKernels; safe to call any number of times.
import * as tf from '@tensorflow/tfjs';
import { adamUpdateConfig, routeAdam } from './adam';
import { avgPoolGradConfig } from './avgPoolGrad';
import { BIAS_RELU, biasReluConfig, biasReluGradConfig, biasReluGradient } from './biasRelu';
import { crossEntropyConfig, crossEntropyGradConfig, crossEntropyGradient } from './crossEntropy';
import { batchNormTrainingConfig, batchNormTrainingGradConfig, batchNormTrainingGradient, fusedBatchNormConfig, movingAveragesConfig } from './batchNorm';
import { routeBatchNormLayer } from './batchNormLayer';
import { routeConvLayer } from './convLayer';
import { routeMaxPoolLayer } from './convPool';
import { routeDenseLayer } from './denseLayer';
import { routeDepthwiseLayers } from './depthwiseLayer';
import { dropoutMaskConfig, routeDropoutLayer } from './dropout';
import { meanConfig, meanGradConfig, routeMeanGradient } from './mean';
import { replaceWasmKernel } from './override';
import { reluGradConfig, routeReluGradient } from './reluGrad';
import { routeSoftmaxGradient, softmaxGradConfig } from './softmaxGrad';

/** Our own kernel names: nobody else registers them. */
const added = [
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  movingAveragesConfig,
  adamUpdateConfig,
  meanGradConfig,
  dropoutMaskConfig,
  biasReluConfig,
  biasReluGradConfig,
  reluGradConfig,
  crossEntropyConfig,
  crossEntropyGradConfig,
  softmaxGradConfig,
];
const replacements = [fusedBatchNormConfig, avgPoolGradConfig, meanConfig];

let gradientsRegistered = false;

export function registerTrainingKernels(): void {
  for (const config of added) if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  for (const config of replacements) replaceWasmKernel(config);
  if (!gradientsRegistered) {
    tf.registerGradient(batchNormTrainingGradient);
    tf.registerGradient(biasReluGradient);
    tf.registerGradient(crossEntropyGradient);
    gradientsRegistered = true;
  }
  routeBatchNormLayer();
  routeAdam();
  routeMeanGradient();
  routeReluGradient();
  routeSoftmaxGradient();
  routeDropoutLayer();
  routeConvLayer();
  routeMaxPoolLayer();
  routeDepthwiseLayers();
  routeDenseLayer();
}

export {
  BIAS_RELU,
  biasReluConfig,
  biasReluGradConfig,
  adamUpdateConfig,
  dropoutMaskConfig,
  avgPoolGradConfig,
  meanConfig,
  meanGradConfig,
  reluGradConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  fusedBatchNormConfig,
};
