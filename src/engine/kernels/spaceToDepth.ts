// Stride-2 3x3 convolutions (conv7x7-strided's conv64) on Winograd, forward and filter gradient. Their GEMMs ran
// at the GEMM's peak, so only fewer multiplications help, and Winograd needs stride 1. Rearranged space to depth,
// xs[u, v, (ph, pw, c)] = x[2u + ph - top, 2v + pw - left, c] (simd/spaceToDepth.ts), the convolution is a
// stride-1 2x2 one over xs with 4*C channels: y[i, j] = sum over dh, dw of xs[i + dh, j + dw] . ws[dh, dw],
// ws[dh, dw, (ph, pw, c)] = w[2dh + ph, 2dw + pw, c] (zero where that tap is past the 3x3 filter). F(7x7, 2x2)
// does it with 64 multiplications a 7x7 tile where the direct convolution has 49 * 9 / 4 ~ 110 (in 4*C channels).
// The filter gradient is the 2x2 one's, folded back into 3x3. The input gradient stays on the GEMM and scatter
// (inputGradGemm.ts): through the 2x2 convolution (dy -> 4*C channels, then back in place) it measured slower,
// 4.5 -> 4.8 ms on conv7x7-strided's layer, where forward went 4.55 -> 4.3 and the filter gradient 5.3 -> 4.55.
// The cell network's reduction takes it for its filter gradient only (WORTH).
import type * as tf from '@tensorflow/tfjs';
import { dispose, type convGeometry, type Info } from './common';
import { addr, heapF32, scratch, simd } from './simd/module';
import { winogradConvOn, winogradCost, winogradFilterGradOn, winogradFits, winogradTile, type WinogradInput } from './winograd';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Geometry = ReturnType<typeof convGeometry>;

/**
 * The Winograd estimate as a share of the direct convolution's multiply-adds below which this path pays. The
 * filter gradient's GEMM path is slower than the forward's, so it gains at more: the cell's reduction (28x28
 * 16 -> 32, estimate 0.91) measured 2.88 -> 2.38 ms in its filter gradient, 2.72 -> 2.99 ms forward.
 */
const WORTH = { forward: 0.85, filter: 0.95 };

/** The tile, when this path takes a convolution: 3x3, stride 2, no dilation, channels multiples of 4. */
export function spaceToDepthTile(info: Geometry, ci: number, co: number, pass: keyof typeof WORTH): number | undefined {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  if (kh !== 3 || kw !== 3 || sh !== 2 || sw !== 2 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (ci % 4 !== 0 || !winogradFits(4 * ci, co) || info.padInfo.top < 0 || info.padInfo.left < 0) return undefined;
  const m = winogradTile(2, oh, ow, 4 * ci, co);
  if (m === undefined || winogradCost(m, 2, oh, ow, 4 * ci, co) > WORTH[pass] * oh * ow * 9 * ci * co) return undefined;
  return m;
}

/** x [n, h, w, c] as the 2x2 convolution's input: its space-to-depth rearrangement, as large as Winograd asks. */
function rearranged(backend: Backend, x: Info, info: Geometry): WinogradInput {
  const [n, h, w, c] = x.shape;
  return {
    n,
    ci: 4 * c,
    padded: (hs, ws) => {
      const buf = scratch(backend, n * hs * ws * 16 * c);
      simd(backend).spaceToDepth(addr(backend, x), n, h, w, c * 4, info.padInfo.top, info.padInfo.left, hs, ws, buf.ptr);
      return buf;
    },
  };
}

/** The 2x2 filter over xs from the 3x3 one: ws[dh, dw, (ph*2 + pw)*c + i, o] = w[2dh + ph, 2dw + pw, i, o]. */
function filter2x2(backend: Backend, filter: Info): Info {
  const [, , c, co] = filter.shape;
  const out = backend.makeOutput([2, 2, 4 * c, co], 'float32');
  // Views taken after the allocation: growing the heap detaches older ones.
  const w = heapF32(backend, addr(backend, filter), 9 * c * co);
  const ws = heapF32(backend, addr(backend, out), 16 * c * co).fill(0);
  for (let kh = 0; kh < 3; kh++) {
    for (let kw = 0; kw < 3; kw++) {
      const from = (kh * 3 + kw) * c * co;
      ws.set(w.subarray(from, from + c * co), slot(kh, kw) * c * co);
    }
  }
  return out;
}

/** Where tap (kh, kw)'s [c, co] block lies in the 2x2 filter: tap (dh, dw), slot (ph, pw). */
const slot = (kh: number, kw: number) => ((kh >> 1) * 2 + (kw >> 1)) * 4 + (kh & 1) * 2 + (kw & 1);

/** The forward convolution, y [n, oh, ow, co]. */
export function spaceToDepthConv(backend: Backend, x: Info, filter: Info, info: Geometry, m: number): Info {
  const ws = filter2x2(backend, filter);
  try {
    return winogradConvOn(backend, rearranged(backend, x, info), ws, info.outHeight, info.outWidth, m);
  } finally {
    dispose(backend, ws);
  }
}

/** The filter gradient, [3, 3, c, co]: the 2x2 convolution's, folded back (its taps past the 3x3 dropped). */
export function spaceToDepthFilterGrad(backend: Backend, x: Info, dy: Info, info: Geometry, m: number): Info {
  const [c, co] = [x.shape[3], dy.shape[3]];
  const dws = winogradFilterGradOn(backend, rearranged(backend, x, info), dy, 2, m);
  try {
    const dw = backend.makeOutput([3, 3, c, co], 'float32');
    const [src, dst] = [heapF32(backend, addr(backend, dws), 16 * c * co), heapF32(backend, addr(backend, dw), 9 * c * co)];
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 3; kw++) {
        const from = slot(kh, kw) * c * co;
        dst.set(src.subarray(from, from + c * co), (kh * 3 + kw) * c * co);
      }
    }
    return dw;
  } finally {
    dispose(backend, dws);
  }
}
