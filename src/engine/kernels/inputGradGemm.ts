// A strided convolution's input gradient as one GEMM and a scatter: cols [P, KH*KW*C] = dy [P, CO] . W^T
// (W [KH*KW*C, CO] packed transposed straight from the filter, no copy), then each row of cols added into dx
// at the pixels its taps read (simd/col2im.ts). Chunks of output pixels keep cols in L2. This replaces, for
// strides above 1, s*s phase convolutions with sub-filters of 1 or 2 taps a side, each with its own filter
// slice, flip and transpose, that XNNPACK ran at a third of its speed, plus a JavaScript interleave of the
// phases into dx.
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { intoOutput } from './scratchOutput';
import { NR } from './simd/gemm';
import { addr, simd, zero } from './simd/module';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

export interface InputGradGeometry {
  inputShape: number[];
  strides: [number, number];
  pads: { top: number; left: number };
}

/** dx [n, h, w, c] of a convolution of x with filter [kh, kw, c, co] (no dilation) that produced dy. */
export function inputGradViaGemm(backend: Backend, dy: Info, filter: Info, g: InputGradGeometry): Info {
  const [n, h, w, c] = g.inputShape;
  const [, oh, ow, co] = dy.shape;
  const [kh, kw] = filter.shape;
  const cols = kh * kw * c;
  const np = Math.ceil(cols / NR) * NR;
  const pixels = n * oh * ow;
  // ~256 KB of cols per chunk, as conv2dBackpropFilter's patch chunks.
  const chunk = Math.max(16, Math.floor(65536 / np) & ~3);
  return intoOutput(backend, [n, h, w, c], (dx, alloc) => {
    const [packed, part] = [alloc(co * np * 4), alloc(chunk * np * 4)];
    zero(backend, dx);
    const k = simd(backend);
    // B[o][q] = filter[q][o]: K = co rows 4 bytes apart, N = cols columns co*4 bytes apart.
    k.pack(addr(backend, filter), 4, co * 4, co, cols, packed);
    const [dyAt, dxAt] = [addr(backend, dy), addr(backend, dx)];
    for (let p0 = 0; p0 < pixels; p0 += chunk) {
      const m = Math.min(chunk, pixels - p0);
      k.gemm(dyAt + p0 * co * 4, co * 4, packed, part, np * 4, m, np, co, 0);
      k.col2im(part, np * 4, h, w, c, ow, oh * ow, kh, kw, g.strides[0], g.strides[1], g.pads.top, g.pads.left, p0, m, dxAt);
    }
  });
}
