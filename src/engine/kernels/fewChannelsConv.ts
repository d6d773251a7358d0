// The forward convolution of a network's first layer (fewer than 4 input channels): XNNPACK ran it at ~19
// GFLOP/s, its inner products being only KH*KW*C long. Here it is the transposed patch matrix of a chunk of
// output pixels (simd/im2row.ts, copied by runs) times the filter on our GEMM: y [P, CO] = patches [P, K] .
// W [K, CO], the patches read transposed in place.
import type * as tf from '@tensorflow/tfjs';
import { patchArgs, type convGeometry, type Info } from './common';
import { intoOutput } from './scratchOutput';
import { NR } from './simd/gemm';
import { addr, simd } from './simd/module';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

/** Whether this path takes a convolution: few input channels, output channels filling whole GEMM panels. */
export function fewChannelsFits(ci: number, co: number): boolean {
  return ci < 4 && co % NR === 0;
}

export function fewChannelsConv(backend: Backend, x: Info, filter: Info, info: ReturnType<typeof convGeometry>): Info {
  const [kh, kw, ci, co] = filter.shape;
  const k = kh * kw * ci;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  // ~256 KB of patches per chunk, never a multiple of 256 rows (see conv2dBackpropFilter's chunkRows).
  const max = Math.max(16, Math.min(4096, Math.floor(65536 / k) & ~3));
  const chunk = max % 256 === 0 ? max - 8 : max;
  return intoOutput(backend, [info.batchSize, info.outHeight, info.outWidth, co], (y, alloc) => {
    const [packed, patches] = [alloc(k * co * 4), alloc(k * chunk * 4)];
    const g = simd(backend);
    g.pack(addr(backend, filter), co * 4, 4, k, co, packed);
    const geometry = patchArgs(info, ci, kh, kw);
    const [xAt, yAt] = [addr(backend, x), addr(backend, y)];
    for (let p0 = 0; p0 < pixels; p0 += chunk) {
      const m = Math.min(chunk, pixels - p0);
      g.im2row(xAt, ...geometry, p0, m, patches);
      g.gemmT(patches, m * 4, packed, yAt + p0 * co * 4, co * 4, m, co, k, 0);
    }
  });
}
