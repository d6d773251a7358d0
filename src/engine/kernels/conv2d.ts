// The forward Conv2D, which training runs unfused (tfjs fuses bias and activation only outside gradient
// tapes): stride-1 square convolutions of a size Winograd is generated for, with enough channels, go to
// Winograd; the rest to XNNPACK as before.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type Info } from './common';
import { runOriginal } from './override';
import { winogradConv, winogradFits, winogradTile } from './winograd';

function conv2D(args: Parameters<tf.KernelFunc>[0]): Info {
  const { x, filter } = args.inputs as unknown as { x: Info; filter: Info };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  const [fh, fw, ci, co] = filter.shape;
  if (dataFormat === 'NCHW' || fh !== fw || !winogradFits(ci, co) || x.dtype !== 'float32') return runOriginal(tf.Conv2D, args);
  const info = convGeometry(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false);
  const { top, left } = info.padInfo;
  const m = winogradTile(fh, info.outHeight, info.outWidth, ci, co);
  if (m === undefined || info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1 || top < 0 || left < 0) {
    return runOriginal(tf.Conv2D, args);
  }
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  return winogradConv(backend, x, filter, { top, left }, info.outHeight, info.outWidth, m);
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as tf.KernelFunc,
};
