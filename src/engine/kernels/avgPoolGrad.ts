// Average-pool gradient on wasm: each window's dy, divided by the number of input pixels the window covers,
// added to those pixels, as one SIMD walk per (image, tap) (simd/walk.ts). wasm's own kernel revisits every
// window for every input pixel. The divisor is the window's count of in-image pixels, as the forward pass
// (cpu and XNNPACK alike) divides by: tfjs's cpu gradient divides by the full window size even where 'same'
// padding cuts the window, which is not the forward pass's derivative (test/engine/kernels-pool.test.ts checks
// both that we agree with cpu where no window is cut and with the exact derivative where they are). 2x2 stride-2
// windows that tile the input write dy / 4 to each pixel once instead (simd/pool2x2.ts: no zero pass, no adds), and
// 3x3 stride-1 'same' ones (a cell's avgPool3x3) take avgPool3x3.ts's two 3-tap passes.
import * as tf from '@tensorflow/tfjs';
import { avgPool3x3, box3x3 } from './avgPool3x3';
import type { Info } from './common';
import { runOriginal } from './override';
import { tiles2x2 } from './pools';
import { fused } from './simd/fused';
import { addr, heapF32, scratch, simd, zero } from './simd/module';
import { tapRanges, type WindowGeometry } from './taps';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

function avgPoolGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { dy, input } = args.inputs as unknown as { dy: Info; input: Info };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  if (dy.dtype !== 'float32') return runOriginal(tf.AvgPoolGrad, args);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad);
  const g: WindowGeometry = {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  if (box3x3(info)) return avgPool3x3(backend, dy, true);
  const [n, c] = [info.batchSize, info.inChannels];
  const px = 4 * c;
  const dx = backend.makeOutput(input.shape, 'float32');
  if (tiles2x2(info)) {
    simd(backend).avgPoolGrad2x2(addr(backend, dx), addr(backend, dy), n * info.outHeight, info.outWidth, c);
    return dx;
  }
  // 1 / (pixels the window covers), per output pixel, repeated across channels so the walk reads it like dy.
  const inv = scratch(backend, g.outHeight * g.outWidth * px);
  try {
    zero(backend, dx);
    const invs = heapF32(backend, inv.ptr, g.outHeight * g.outWidth * c);
    const covered = (o: number, stride: number, pad: number, filter: number, size: number) =>
      Math.min(o * stride - pad + filter, size) - Math.max(o * stride - pad, 0);
    for (let oh = 0; oh < g.outHeight; oh++) {
      const rows = covered(oh, g.strideHeight, g.padTop, g.filterHeight, g.inHeight);
      for (let ow = 0; ow < g.outWidth; ow++) {
        const count = rows * covered(ow, g.strideWidth, g.padLeft, g.filterWidth, g.inWidth);
        invs.fill(count > 0 ? 1 / count : 0, (oh * g.outWidth + ow) * c, (oh * g.outWidth + ow + 1) * c);
      }
    }
    const k = fused(backend);
    const [dxa, dya] = [addr(backend, dx), addr(backend, dy)];
    const [imgX, imgDy] = [g.inHeight * g.inWidth * px, g.outHeight * g.outWidth * px];
    const ranges = tapRanges(g);
    for (let b = 0; b < n; b++) {
      for (const t of ranges) {
        const start = (t.oh0 * g.outWidth + t.ow0) * px;
        k.macWalk(
          dya + b * imgDy + start,
          inv.ptr + start,
          dxa + b * imgX + (t.ih0 * g.inWidth + t.iw0) * px,
          t.oh1 - t.oh0,
          t.ow1 - t.ow0,
          c,
          g.outWidth * px,
          px,
          g.outWidth * px,
          px,
          g.strideHeight * g.inWidth * px,
          g.strideWidth * px,
        );
      }
    }
  } finally {
    inv.free();
  }
  return dx;
}

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGrad as tf.KernelFunc,
};
