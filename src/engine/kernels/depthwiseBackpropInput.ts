// For each channel c: dx[..,c] = sum over m of the full correlation of dy[..,c*M+m] (zero-spread by the
// stride) with filter[:,:,c,m] flipped in space. All c*M correlations are one depthwise forward conv with
// multiplier 1; the sum over m is then a reduction over the innermost axis.
import * as tf from '@tensorflow/tfjs';
import { convExplicit, convGeometry, dispose, runWasm, view, zeroInsert, type Info } from './common';
import { dwGeometry, dwInputGradStride1, dwInputGradStrided, dwSimdFits } from './depthwiseSimd';
import { depthwiseInputGradWalk } from './depthwiseWalk';

function depthwiseBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as tf.KernelBackend;
  const { dy, filter } = args.inputs as unknown as { dy: Info; filter: Info };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
  const [fh, fw, channels, multiplier] = filter.shape;
  if (multiplier === 1 && dy.dtype === 'float32') {
    const g = dwGeometry(info);
    const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
    const fits = dwSimdFits(g);
    const dx = !fits ? undefined : stride1 ? dwInputGradStride1(backend as never, dy, filter, g) : dwInputGradStrided(backend as never, dy, filter, g);
    return dx ?? depthwiseInputGradWalk(backend as never, dy, filter, g, inputShape);
  }
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const flipped = runWasm('Reverse', backend, { x: view(filter, [fh, fw, channels * multiplier, 1]) }, { dims: [0, 1] });
  const spread = sh > 1 || sw > 1 ? zeroInsert(backend, dy, sh, sw) : view(dy, dy.shape);
  const top = (fh - 1) * dh - info.padInfo.top;
  const left = (fw - 1) * dw - info.padInfo.left;
  const pads = {
    top,
    left,
    bottom: info.inHeight + (fh - 1) * dh - spread.shape[1] - top,
    right: info.inWidth + (fw - 1) * dw - spread.shape[2] - left,
  };
  let perProduct: Info;
  try {
    perProduct = convExplicit(backend, spread, flipped, [1, 1], [dh, dw], pads, true);
  } finally {
    dispose(backend, flipped);
    if (spread.dataId !== dy.dataId) dispose(backend, spread);
  }
  if (multiplier === 1) return perProduct;
  const [n, h, w] = perProduct.shape;
  try {
    return runWasm('Sum', backend, { x: view(perProduct, [n, h, w, channels, multiplier]) }, { axis: [4], keepDims: false });
  } finally {
    dispose(backend, perProduct);
  }
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as tf.KernelFunc,
};
