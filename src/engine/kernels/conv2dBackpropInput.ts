// wasm's own Conv2DBackpropInput is a scalar C++ loop, about 10x slower than the XNNPACK forward conv of the
// same size. With stride 1, dx is the "full" correlation of dy with the filter flipped in space and with its
// channel axes swapped, so it runs as that forward conv (Winograd where it fits). Strided ones run as a GEMM
// and a scatter (inputGradGemm.ts): split into s*s stride-1 phases of tiny sub-filters, as they were, they
// ran at a third of the GEMM's speed.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convExplicit, convGeometry, dispose, type Info } from './common';
import { inputGradViaGemm } from './inputGradGemm';
import { runOriginal } from './override';
import { addr, simd } from './simd/module';

/**
 * The filter flipped in space with its channel axes swapped, out[kh, kw, o, i] = filter[fh-1-kh, fw-1-kw, i, o],
 * in one pass: wasm's Reverse kernel took 3.6 ms on a 5x5x64x64 filter, as long as a fifth of the convolution.
 * Channel counts that are multiples of 4 go through SIMD 4x4 transposes, a tap at a time (5x5x64x64 0.25 -> 0.02
 * ms); others value by value.
 */
function flipSwap(backend: BackendWasm, filter: Info): Info {
  const [fh, fw, ci, co] = filter.shape;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const plane = ci * co;
  if (ci % 4 === 0 && co % 4 === 0) {
    const [k, from, to] = [simd(backend), addr(backend, filter), addr(backend, out)];
    for (let t = 0; t < fh * fw; t++) k.transpose4(from + (fh * fw - 1 - t) * plane * 4, ci, co, to + t * plane * 4);
    return out;
  }
  // Views taken after the allocation: growing the wasm heap detaches older ones.
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const from = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * plane;
      const to = (kh * fw + kw) * plane;
      for (let o = 0; o < co; o++) {
        for (let i = 0, at = to + o * ci, f = from + o; i < ci; i++, f += co) dst[at + i] = src[f];
      }
    }
  }
  return out;
}

/**
 * Stride 1: dy correlated with the flipped, channel-swapped filter, padded so the result has dx's size (a tap
 * at offset k of a pad-`top` convolution lands `fh - 1 - top` rows before its output).
 */
function flippedConvGrad(backend: BackendWasm, dy: Info, filter: Info, top: number, left: number, h: number, w: number): Info {
  const [fh, fw] = filter.shape;
  const swapped = flipSwap(backend, filter);
  try {
    const [bt, bl] = [fh - 1 - top, fw - 1 - left];
    const pads = { top: bt, bottom: h - dy.shape[1] + fh - 1 - bt, left: bl, right: w - dy.shape[2] + fw - 1 - bl };
    return convExplicit(backend, dy, swapped, [1, 1], [1, 1], pads, false);
  } finally {
    dispose(backend, swapped);
  }
}

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as unknown as { dy: Info; filter: Info };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  // wasm's own kernel, kept for what neither path covers.
  if (dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return runOriginal(tf.Conv2DBackpropInput, args as Parameters<tf.KernelFunc>[0]);
  }
  const info = convGeometry(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false);
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;
  if (sh === 1 && sw === 1) return flippedConvGrad(backend, dy, filter, info.padInfo.top, info.padInfo.left, h, w);
  const pads = { top: info.padInfo.top, left: info.padInfo.left };
  return inputGradViaGemm(backend as unknown as Parameters<typeof inputGradViaGemm>[0], dy, filter, { inputShape, strides: [sh, sw], pads });
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};
