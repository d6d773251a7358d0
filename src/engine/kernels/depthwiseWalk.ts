// Depthwise convolution gradients with depth multiplier 1 (MobileNet blocks, separable convolutions), as one
// SIMD multiply-accumulate walk per (image, filter tap) over the wasm heap (simd/walk.ts). The general path
// (depthwiseBackpropFilter.ts, depthwiseBackpropInput.ts) transposes whole tensors into one giant depthwise
// convolution; this reads each image once per tap while it sits in cache.
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { fused } from './simd/fused';
import { addr, heapF32, scratch, zero } from './simd/module';
import { tapRanges, type WindowGeometry } from './taps';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

export function geometry(info: tf.backend_util.Conv2DInfo): WindowGeometry {
  return {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** dW[kh,kw,c,0] = sum over images and output pixels of x[tap pixel, c] * dy[pixel, c]. */
export function depthwiseFilterGradWalk(backend: Backend, x: Info, dy: Info, g: WindowGeometry, filterShape: number[]): Info {
  const [n, c] = [x.shape[0], x.shape[3]];
  const px = 4 * c;
  const taps = g.filterHeight * g.filterWidth;
  const dw = backend.makeOutput(filterShape, 'float32');
  const acc = scratch(backend, taps * px);
  try {
    const ranges = tapRanges(g);
    const k = fused(backend);
    const [xa, dya] = [addr(backend, x), addr(backend, dy)];
    const [imgX, imgDy] = [g.inHeight * g.inWidth * px, g.outHeight * g.outWidth * px];
    // Each image's sums (a few hundred terms) are added up in double precision, so a large batch rounds like one image.
    const total = new Float64Array(taps * c);
    const sums = heapF32(backend, acc.ptr, taps * c);
    for (let b = 0; b < n; b++) {
      sums.fill(0);
      for (const t of ranges) {
        k.macWalk(
          xa + b * imgX + (t.ih0 * g.inWidth + t.iw0) * px,
          dya + b * imgDy + (t.oh0 * g.outWidth + t.ow0) * px,
          acc.ptr + t.tap * px,
          t.oh1 - t.oh0,
          t.ow1 - t.ow0,
          c,
          g.strideHeight * g.inWidth * px,
          g.strideWidth * px,
          g.outWidth * px,
          px,
          0,
          0,
        );
      }
      for (let i = 0; i < total.length; i++) total[i] += sums[i];
    }
    heapF32(backend, addr(backend, dw), total.length).set(total);
  } finally {
    acc.free();
  }
  return dw;
}

/** dx[tap pixel, c] += dy[pixel, c] * w[kh,kw,c,0], tap by tap. */
export function depthwiseInputGradWalk(backend: Backend, dy: Info, filter: Info, g: WindowGeometry, inputShape: number[]): Info {
  const [n, c] = [inputShape[0], inputShape[3]];
  const px = 4 * c;
  const dx = backend.makeOutput(inputShape, 'float32');
  zero(backend, dx);
  const k = fused(backend);
  const [dxa, dya, wa] = [addr(backend, dx), addr(backend, dy), addr(backend, filter)];
  const [imgX, imgDy] = [g.inHeight * g.inWidth * px, g.outHeight * g.outWidth * px];
  const ranges = tapRanges(g);
  for (let b = 0; b < n; b++) {
    for (const t of ranges) {
      k.macWalk(
        dya + b * imgDy + (t.oh0 * g.outWidth + t.ow0) * px,
        wa + t.tap * px,
        dxa + b * imgX + (t.ih0 * g.inWidth + t.iw0) * px,
        t.oh1 - t.oh0,
        t.ow1 - t.ow0,
        c,
        g.outWidth * px,
        px,
        0,
        0,
        g.strideHeight * g.inWidth * px,
        g.strideWidth * px,
      );
    }
  }
  return dx;
}
