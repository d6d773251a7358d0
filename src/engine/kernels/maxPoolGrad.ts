// wasm's MaxPoolGrad revisits every window for every input pixel (~25x the cost of the forward pool). Ours
// makes one forward-like pass over the windows in SIMD (simd/pool.ts), sending each window's dy to its
// argmax exactly as the cpu backend picks it, ties included. 2x2 stride-2 windows that tile the input exactly
// take an unrolled kernel that writes each dx value once (simd/pool2x2.ts).
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { tiles2x2 } from './pools';
import { addr, simd, zero } from './simd/module';

function maxPoolGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const { dy, input } = args.inputs as unknown as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput(input.shape, 'float32');
  if (tiles2x2(info)) {
    simd(backend).maxPoolGrad2x2(addr(backend, input), addr(backend, dy), addr(backend, dx), info.batchSize * info.outHeight, info.outWidth, info.inChannels);
    return dx;
  }
  zero(backend, dx);
  simd(backend).maxPoolGrad(
    addr(backend, input),
    addr(backend, dy),
    addr(backend, dx),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return dx;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
