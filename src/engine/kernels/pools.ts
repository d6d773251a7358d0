// The forward max and average pools of 2x2, stride-2 windows that tile the input (the CNN's usual pooling), on
// the same SIMD walk as their gradients (simd/pool2x2.ts): the max by the cpu backend's rule (NaN never wins), the
// average as (a + b + c + d) / 4; the 3x3 stride-1 'same' average on avgPool3x3.ts. Everything else stays on wasm's
// own kernels (XNNPACK).
import * as tf from '@tensorflow/tfjs';
import { avgPool3x3, box3x3 } from './avgPool3x3';
import type { Info } from './common';
import { runOriginal } from './override';
import { addr, simd } from './simd/module';

/** 2x2 windows, stride 2, no padding, covering every input pixel, whole vectors of channels. */
export function tiles2x2(info: tf.backend_util.Conv2DInfo): boolean {
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  return (
    fh === 2 &&
    fw === 2 &&
    sh === 2 &&
    sw === 2 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    info.inHeight === 2 * info.outHeight &&
    info.inWidth === 2 * info.outWidth &&
    info.inChannels % 4 === 0
  );
}

type Args = Parameters<tf.KernelFunc>[0];

function pool(kernel: 'maxPool2x2' | 'avgPool2x2', name: string, args: Args): Info {
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const { x } = args.inputs as unknown as { x: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  if (x.dtype === 'float32' && kernel === 'avgPool2x2' && box3x3(info)) return avgPool3x3(backend, x, false);
  if (x.dtype !== 'float32' || !tiles2x2(info)) return runOriginal(name, args);
  const y = backend.makeOutput(info.outShape, 'float32');
  simd(backend)[kernel](addr(backend, x), addr(backend, y), info.batchSize * info.outHeight, info.outWidth, info.inChannels);
  return y;
}

export const maxPoolConfig: tf.KernelConfig = {
  kernelName: tf.MaxPool,
  backendName: 'wasm',
  kernelFunc: ((args: Args) => pool('maxPool2x2', tf.MaxPool, args)) as tf.KernelFunc,
};

export const avgPoolConfig: tf.KernelConfig = {
  kernelName: tf.AvgPool,
  backendName: 'wasm',
  kernelFunc: ((args: Args) => pool('avgPool2x2', tf.AvgPool, args)) as tf.KernelFunc,
};
