// dW[kh,kw,c,m] = sum over (n,oh,ow) of x[n, oh*s + kh*d - top, ow*s + kw*d - left, c] * dy[n,oh,ow,c*M+m].
// Treating every (n,c) pair as its own channel of one image [1,h,w,n*c], and dy as a depthwise filter
// [oh,ow,n*c,M] dilated by the stride, each pair's correlation is one depthwise forward conv (stride = d);
// the sum over n is a small reduction afterwards.
import * as tf from '@tensorflow/tfjs';
import { convExplicit, convGeometry, dispose, runWasm, transpose, view, type Info } from './common';
import { dwFilterGrad, dwGeometry, dwSimdFits } from './depthwiseSimd';
import { depthwiseFilterGradWalk } from './depthwiseWalk';

function depthwiseBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as tf.KernelBackend;
  const { x, dy } = args.inputs as unknown as { x: Info; dy: Info };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const [fh, fw, channels, multiplier] = filterShape;
  if (multiplier === 1 && x.dtype === 'float32') {
    const g = dwGeometry(info);
    if (dwSimdFits(g)) return dwFilterGrad(backend as never, x, dy, g, filterShape);
    return depthwiseFilterGradWalk(backend as never, x, dy, g, filterShape);
  }
  const [batch, inHeight, inWidth] = x.shape;
  const { outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const xT = transpose(backend, x, [1, 2, 0, 3]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const pads = {
    top,
    left,
    bottom: (fh - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1 - inHeight - top,
    right: (fw - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1 - inWidth - left,
  };
  let perPair: Info;
  try {
    perPair = convExplicit(
      backend,
      view(xT, [1, inHeight, inWidth, batch * channels]),
      view(dyT, [outHeight, outWidth, batch * channels, multiplier]),
      [dilationHeight, dilationWidth],
      [strideHeight, strideWidth],
      pads,
      true,
    );
  } finally {
    dispose(backend, xT, dyT);
  }
  if (batch === 1) return view(perPair, filterShape);
  try {
    const summed = runWasm('Sum', backend, { x: view(perPair, [fh * fw, batch, channels * multiplier]) }, { axis: [1], keepDims: false });
    return view(summed, filterShape);
  } finally {
    dispose(backend, perPair);
  }
}

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as tf.KernelFunc,
};
