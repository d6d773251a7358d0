// The forward depthwise convolution (MobileNet blocks, separable convolutions): multiplier 1, float32, NHWC and
// channels in whole vectors go to the register kernel (depthwiseSimd.ts); the rest to wasm's own kernel
// (XNNPACK). Measured in one process, interleaved (CPU time, load ~12): 128x14x14x32 3x3 stride 1 1.28-1.46 ->
// 0.78-0.98 ms. Strided ones stayed on XNNPACK while ours padded the whole batch first (0.76-0.83 against
// 0.67-0.81); padded a slice at a time, 128x14x14x64 stride 2 takes 0.51-0.58 ms against XNNPACK's 0.78-0.83
// (mobilenet step profile, CPU time, 3 interleaved rounds, load 4-6).
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type Info } from './common';
import { dwForward, dwGeometry, dwSimdFits } from './depthwiseSimd';
import { runOriginal } from './override';

type Args = Parameters<tf.KernelFunc>[0];

function depthwiseConv2d(args: Args): Info {
  const { x, filter } = args.inputs as unknown as { x: Info; filter: Info };
  const { strides, pad, dilations, dimRoundingMode, dataFormat } = args.attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
  if (dataFormat !== 'NCHW' && filter.shape[3] === 1 && x.dtype === 'float32' && filter.dtype === 'float32') {
    const g = dwGeometry(convGeometry(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, true));
    if (dwSimdFits(g)) return dwForward(args.backend as never, x, filter, g);
  }
  return runOriginal(tf.DepthwiseConv2dNative, args);
}

export const depthwiseConv2dConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2d as tf.KernelFunc,
};
