// Forward convolutions that Winograd does not take (strides, pointwise filters, channel counts off a multiple of
// 4) as one GEMM on our SIMD kernel, y [P, CO] = patches [P, KH*KW*C] . W [KH*KW*C, CO], instead of XNNPACK
// (~25-33 GFLOP/s on the suite's strided and 1x1 convolutions under load). A pointwise stride-1 filter needs no
// patches: x itself, [P, C] row-major, is the A operand. Otherwise chunks of output pixels are gathered row-major
// (simd/im2colRows.ts) into a scratch buffer that stays in L2 while the GEMM reads it.
import type * as tf from '@tensorflow/tfjs';
import type { convGeometry, Info } from './common';
import { intoOutput } from './scratchOutput';
import { NR } from './simd/gemm';
import { addr, simd } from './simd/module';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Geometry = ReturnType<typeof convGeometry>;

/** Whether this path takes a convolution: output channels filling whole GEMM panels, no dilation. */
export function gemmConvFits(info: Geometry, co: number): boolean {
  return co % NR === 0 && info.dilationHeight === 1 && info.dilationWidth === 1;
}

export function gemmConv(backend: Backend, x: Info, filter: Info, info: Geometry): Info {
  const [kh, kw, ci, co] = filter.shape;
  const k = kh * kw * ci;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  return intoOutput(backend, [info.batchSize, info.outHeight, info.outWidth, co], (y, alloc) => {
    const g = simd(backend);
    const packed = alloc(k * co * 4);
    g.pack(addr(backend, filter), co * 4, 4, k, co, packed);
    const [xAt, yAt] = [addr(backend, x), addr(backend, y)];
    const { strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0) {
      g.gemm(xAt, ci * 4, packed, yAt, co * 4, pixels, co, ci, 0);
      return;
    }
    // ~256 KB of patches per chunk. Rows a multiple of 4 KiB apart would put the GEMM's four A rows in one L1 set.
    const ldd = (k * 4) % 4096 === 0 ? k * 4 + 64 : k * 4;
    const chunk = Math.max(16, Math.min(4096, Math.floor(262144 / ldd) & ~3));
    const patches = alloc(chunk * ldd);
    const geometry = [info.inHeight, info.inWidth, ci, info.outWidth, info.outHeight * info.outWidth, kh, kw, sh, sw, top, left];
    for (let p0 = 0; p0 < pixels; p0 += chunk) {
      const m = Math.min(chunk, pixels - p0);
      g.im2colRows(xAt, ...geometry, p0, m, patches, ldd);
      g.gemm(patches, ldd, packed, yAt + p0 * co * 4, co * 4, m, co, k, 0);
    }
  });
}
