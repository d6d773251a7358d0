// dW[kh,kw,ci,co] = sum over output pixels p of patch(p)[kh,kw,ci] * dy[p,co]: one GEMM, dy^T [co, P] (read
// in place, not transposed) times the patch matrix [P, kh*kw*ci]. XNNPACK has no such kernel (as a convolution
// of transposed tensors it ran at a third of its forward speed, at a tenth for one input channel), so it runs
// on our SIMD GEMM, the patch matrix built chunk by chunk straight into the GEMM's packed layout. Stride-1
// square filters of the sizes Winograd is generated for, with enough channels, take Winograd instead
// (winograd.ts): several times fewer multiplications. Pointwise stride-1 filters need no patch matrix at all
// (pointwise below: cell 1x1 16->16 1.15 -> 0.65 ms).
import * as tf from '@tensorflow/tfjs';
import { convGeometry, dispose, patchArgs, runWasm, transpose, view, type Info } from './common';
import { intoOutput } from './scratchOutput';
import { spaceToDepthFilterGrad, spaceToDepthTile } from './spaceToDepth';
import { NR } from './simd/gemm';
import { addr, simd } from './simd/module';
import { winogradFilterGrad, winogradFits, winogradTile } from './winograd';

/**
 * Patch rows per chunk: enough to amortise the call, few enough that the packed chunk (~256 KB) stays in L2.
 * Never a multiple of 256 rows: im2row writes one value to each of its tap rows per pixel, and rows 1 KiB-multiple
 * apart fall in the same L1 set (4 KiB aliasing), which made the first layer's 7x7 stride-2 gradient 3x slower
 * (im2row 11 ms for 2048 rows, 3.3 ms for 2040, measured on its 128x28x28x1 input).
 */
function chunkRows(paddedCols: number): number {
  const rows = Math.max(16, Math.min(4096, Math.floor(65536 / paddedCols) & ~3));
  return rows % 256 === 0 ? rows - 8 : rows;
}

type Geometry = ReturnType<typeof convGeometry>;

/**
 * Few input channels (a network's first layer): dW [kh*kw*ci, co] = patches^T [kh*kw*ci, P] . dy [P, co]
 * directly, with no padded columns (im2col would pad 9 columns to 16 for one channel) and no transposes; dy is
 * read in place (gemmS), as packing it cost more than its strided reads.
 */
function fewInputChannels(
  backend: tf.KernelBackend & { makeOutput(s: number[], d: string): Info },
  x: Info,
  dy: Info,
  info: Geometry,
  filterShape: number[],
): Info {
  const [kh, kw, ci, co] = filterShape;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const rows = kh * kw * ci;
  const kc = chunkRows(co);
  return intoOutput(backend, filterShape, (dw, alloc) => {
    const patches = alloc(rows * kc * 4);
    const k = simd(backend);
    for (let p0 = 0; p0 < pixels; p0 += kc) {
      const n = Math.min(kc, pixels - p0);
      k.im2row(addr(backend, x), ...patchArgs(info, ci, kh, kw), p0, n, patches);
      k.gemmS(patches, n * 4, addr(backend, dy) + p0 * co * 4, addr(backend, dw), co * 4, rows, co, n, p0 > 0 ? 1 : 0, co * 4);
    }
  });
}

/**
 * A pointwise stride-1 filter: dW [ci, co] = x^T [ci, P] . dy [P, co] with no patches at all, x read transposed
 * in place (its rows are the pixels) and dy packed chunk by chunk.
 */
function pointwise(backend: tf.KernelBackend & { makeOutput(s: number[], d: string): Info }, x: Info, dy: Info, filterShape: number[]): Info {
  const [, , ci, co] = filterShape;
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  const kc = chunkRows(co);
  return intoOutput(backend, filterShape, (dw, alloc) => {
    const panels = alloc(co * kc * 4);
    const k = simd(backend);
    for (let p0 = 0; p0 < pixels; p0 += kc) {
      const n = Math.min(kc, pixels - p0);
      k.pack(addr(backend, dy) + p0 * co * 4, co * 4, 4, n, co, panels);
      k.gemmT(addr(backend, x) + p0 * ci * 4, ci * 4, panels, addr(backend, dw), co * 4, ci, co, n, p0 > 0 ? 1 : 0);
    }
  });
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as tf.KernelBackend & { makeOutput(s: number[], d: string): Info };
  const { x, dy } = args.inputs as unknown as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error("wasm Conv2DBackpropFilter supports only dataFormat 'NHWC'");
  const info = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
  const [kh, kw, ci, co] = filterShape;
  const { top, left } = info.padInfo;
  const m = kh === kw && winogradFits(ci, co) ? winogradTile(kh, info.outHeight, info.outWidth, ci, co) : undefined;
  if (m !== undefined && info.strideHeight === 1 && info.strideWidth === 1 && top >= 0 && left >= 0) {
    return winogradFilterGrad(backend as Parameters<typeof winogradFilterGrad>[0], x, dy, kh, { top, left }, m);
  }
  const s2d = spaceToDepthTile(info, ci, co, 'filter');
  if (s2d !== undefined) return spaceToDepthFilterGrad(backend, x, dy, info, s2d);
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const cols = kh * kw * ci;
  if (ci < 4 && co % NR === 0) return fewInputChannels(backend, x, dy, info, filterShape);
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
  if (kh === 1 && kw === 1 && stride1 && top === 0 && left === 0 && co % NR === 0) return pointwise(backend, x, dy, filterShape);
  const paddedCols = Math.ceil(cols / NR) * NR;
  const kc = chunkRows(paddedCols);

  const dwT = intoOutput(backend, [co, paddedCols], (out, alloc) => {
    const panels = alloc(paddedCols * kc * 4);
    const k = simd(backend);
    for (let p0 = 0; p0 < pixels; p0 += kc) {
      const n = Math.min(kc, pixels - p0);
      k.im2col(addr(backend, x), ...patchArgs(info, ci, kh, kw), p0, n, panels, paddedCols);
      k.gemmT(addr(backend, dy) + p0 * co * 4, co * 4, panels, addr(backend, out), paddedCols * 4, co, paddedCols, n, p0 > 0 ? 1 : 0);
    }
  });
  const used = paddedCols === cols ? dwT : runWasm('Slice', backend, { x: dwT }, { begin: [0, 0], size: [co, cols] });
  if (used !== dwT) dispose(backend, dwT);
  try {
    return view(transpose(backend, used, [1, 0]), filterShape);
  } finally {
    dispose(backend, used);
  }
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};
