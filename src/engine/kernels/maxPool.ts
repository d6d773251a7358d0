// The forward max pool of 2x2, stride-2 windows that tile the input (the CNN's usual pooling), on the same SIMD
// walk as its gradient (simd/pool2x2.ts) with the cpu backend's max rule; everything else stays on wasm's own
// kernel (XNNPACK).
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { tiles2x2 } from './maxPoolGrad';
import { runOriginal } from './override';
import { addr, simd } from './simd/module';

function maxPool(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const { x } = args.inputs as unknown as { x: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  if (x.dtype !== 'float32' || !tiles2x2(info)) return runOriginal(tf.MaxPool, args);
  const y = backend.makeOutput(info.outShape, 'float32');
  simd(backend).maxPool2x2(addr(backend, x), addr(backend, y), info.batchSize * info.outHeight, info.outWidth, info.inChannels);
  return y;
}

export const maxPoolConfig: tf.KernelConfig = {
  kernelName: tf.MaxPool,
  backendName: 'wasm',
  kernelFunc: maxPool as tf.KernelFunc,
};
