// dW[kh,kw,ci,co] = sum over (n,oh,ow) of x[n, oh*s + kh - top, ow*s + kw - left, ci] * dy[n,oh,ow,co].
// Read with ci as the batch, (kh,kw) as output pixels, n as input channels and dy as a [oh,ow,n,co] filter
// dilated by the stride, that is a forward convolution, which XNNPACK runs far faster than any loop in JS.
import * as tf from '@tensorflow/tfjs';
import { convExplicit, convGeometry, dispose, transpose, type Info } from './common';

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as tf.KernelBackend;
  const { x, dy } = args.inputs as unknown as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error("wasm Conv2DBackpropFilter supports only dataFormat 'NHWC'");
  const info = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  // Bottom/right pads chosen so the output is exactly filterHeight x filterWidth; negative ones crop input
  // rows the forward pass never read (valid padding with a stride that does not divide evenly).
  const pads = {
    top,
    left,
    bottom: (info.filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1 - inHeight - top,
    right: (info.filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1 - inWidth - left,
  };
  try {
    const dwT = convExplicit(backend, xT, dyT, [dilationHeight, dilationWidth], [strideHeight, strideWidth], pads, false);
    try {
      return transpose(backend, dwT, [1, 2, 0, 3]);
    } finally {
      dispose(backend, dwT);
    }
  } finally {
    dispose(backend, xT, dyT);
  }
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};
