// A stride-1 3x3 convolution as Winograd F(2x2, 3x3) (simd/winograd.ts): the 16 GEMMs of the transformed
// tiles do 2.25x fewer multiplications than XNNPACK's direct convolution, which more than pays for the
// transforms once there are a few channels on each side. Used for the forward Conv2D and for the input
// gradient (itself a stride-1 3x3 convolution of dy with the flipped, channel-swapped filter).
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { NR } from './simd/gemm';
import { addr, heapF32, scratch, simd } from './simd/module';

/** Whether the Winograd path takes a convolution with these channel counts (both sides a multiple of 4). */
export function winogradFits(inChannels: number, outChannels: number): boolean {
  return inChannels % 4 === 0 && outChannels % 4 === 0 && inChannels >= 8 && outChannels >= 8;
}

/** Reads filter tap (kh, kw) from input channel c to output channel o. */
export type FilterTap = (kh: number, kw: number, c: number, o: number) => number;

/** U[t][c][o] = (G g G^T)[t] for the 3x3 g of each channel pair; G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]. */
function transformFilter(tap: FilterTap, ci: number, co: number, out: Float32Array): void {
  const g = new Float64Array(9);
  const gg = new Float64Array(12);
  const plane = ci * co;
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < co; o++) {
      for (let k = 0; k < 9; k++) g[k] = tap(Math.floor(k / 3), k % 3, c, o);
      for (let j = 0; j < 3; j++) {
        gg[j] = g[j];
        gg[3 + j] = (g[j] + g[3 + j] + g[6 + j]) / 2;
        gg[6 + j] = (g[j] - g[3 + j] + g[6 + j]) / 2;
        gg[9 + j] = g[6 + j];
      }
      for (let r = 0; r < 4; r++) {
        const [a, b, d] = [gg[r * 3], gg[r * 3 + 1], gg[r * 3 + 2]];
        const at = c * co + o;
        out[r * 4 * plane + at] = a;
        out[(r * 4 + 1) * plane + at] = (a + b + d) / 2;
        out[(r * 4 + 2) * plane + at] = (a - b + d) / 2;
        out[(r * 4 + 3) * plane + at] = d;
      }
    }
  }
}

/**
 * y[n, oh, ow, o] = sum over kh, kw, c of x[n, oh + kh - top, ow + kw - left, c] * tap(kh, kw, c, o), zero
 * outside x, for an output of outH x outW. x is [n, h, w, ci] in the wasm heap; y is a new backend tensor.
 */
export function winogradConv(
  backend: tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info },
  x: Info,
  tap: FilterTap,
  co: number,
  pads: { top: number; left: number },
  outH: number,
  outW: number,
): Info {
  const [n, h, w, ci] = x.shape;
  const coPad = Math.ceil(co / NR) * NR;
  const tilesH = Math.ceil(outH / 2);
  const tilesW = Math.ceil(outW / 2);
  const tiles = n * tilesH * tilesW;
  // Tiles per block: the block's V and M (16 planes each) stay within ~512 KB, in L2 between the passes.
  const block = Math.max(4, Math.floor(8192 / (ci + coPad)));
  const y = backend.makeOutput([n, outH, outW, co], 'float32');
  const bufs = [
    scratch(backend, ci * 4), // zeros for patch pixels outside the image
    scratch(backend, 16 * ci * co * 4), // U, plane by plane
    scratch(backend, 16 * ci * coPad * 4), // U packed for the GEMM
    scratch(backend, 16 * block * ci * 4), // V of one block
    scratch(backend, 16 * block * coPad * 4), // M of one block
  ];
  const [zeros, u, packed, v, m] = bufs;
  try {
    heapF32(backend, zeros.ptr, ci).fill(0);
    transformFilter(tap, ci, co, heapF32(backend, u.ptr, 16 * ci * co));
    const k = simd(backend);
    for (let t = 0; t < 16; t++) k.pack(u.ptr + t * ci * co * 4, co * 4, 4, ci, co, packed.ptr + t * ci * coPad * 4);
    const xAt = addr(backend, x);
    const yAt = addr(backend, y);
    for (let t0 = 0; t0 < tiles; t0 += block) {
      const count = Math.min(block, tiles - t0);
      k.winoIn(xAt, h, w, ci, tilesW, tilesH * tilesW, pads.top, pads.left, t0, count, v.ptr, zeros.ptr);
      for (let t = 0; t < 16; t++) {
        k.gemm(v.ptr + t * count * ci * 4, ci * 4, packed.ptr + t * ci * coPad * 4, m.ptr + t * count * coPad * 4, coPad * 4, count, coPad, ci, 0);
      }
      k.winoOut(m.ptr, coPad * 4, yAt, outH, outW, co, tilesW, tilesH * tilesW, t0, count);
    }
  } catch (err) {
    backend.disposeData(y.dataId);
    throw err;
  } finally {
    for (const b of bufs) b.free();
  }
  return y;
}

/**
 * The filter gradient of a stride-1 3x3 convolution of x ([n, h, w, ci]) giving dy ([n, oh, ow, co]) with the
 * given pads: dW[kh, kw, c, o] = sum of x[n, oh + kh - top, ow + kw - left, c] * dy[n, oh, ow, o].
 */
export function winogradFilterGrad(
  backend: tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info },
  x: Info,
  dy: Info,
  pads: { top: number; left: number },
): Info {
  const [, h, w, ci] = x.shape;
  const [n, outH, outW, co] = dy.shape;
  const coPad = Math.ceil(co / NR) * NR;
  const tilesH = Math.ceil(outH / 2);
  const tilesW = Math.ceil(outW / 2);
  const tiles = n * tilesH * tilesW;
  const block = Math.max(4, Math.floor(8192 / (ci + coPad)));
  const dw = backend.makeOutput([3, 3, ci, co], 'float32');
  const bufs = [
    scratch(backend, Math.max(ci, co) * 4), // zeros
    scratch(backend, 16 * block * ci * 4), // V of one block
    scratch(backend, 16 * block * co * 4), // E of one block
    scratch(backend, 16 * block * coPad * 4), // E packed
    scratch(backend, 16 * ci * coPad * 4), // M, summed over all blocks
  ];
  const [zeros, v, e, packed, m] = bufs;
  try {
    heapF32(backend, zeros.ptr, Math.max(ci, co)).fill(0);
    const k = simd(backend);
    const [xAt, dyAt] = [addr(backend, x), addr(backend, dy)];
    for (let t0 = 0; t0 < tiles; t0 += block) {
      const count = Math.min(block, tiles - t0);
      k.winoIn(xAt, h, w, ci, tilesW, tilesH * tilesW, pads.top, pads.left, t0, count, v.ptr, zeros.ptr);
      k.winoDy(dyAt, outH, outW, co, tilesW, tilesH * tilesW, t0, count, e.ptr, zeros.ptr);
      for (let t = 0; t < 16; t++) {
        const pe = packed.ptr + t * count * coPad * 4;
        k.pack(e.ptr + t * count * co * 4, co * 4, 4, count, co, pe);
        // M[t] (+)= V[t]^T . E[t]: V[t] is [tiles][ci], read transposed in place.
        k.gemmT(v.ptr + t * count * ci * 4, ci * 4, pe, m.ptr + t * ci * coPad * 4, coPad * 4, ci, coPad, count, t0 > 0 ? 1 : 0);
      }
    }
    // dW = G^T M G per channel pair; G^T = [1 .5 .5 0; 0 .5 -.5 0; 0 .5 .5 1].
    const ms = heapF32(backend, m.ptr, 16 * ci * coPad);
    const out = heapF32(backend, addr(backend, dw), 9 * ci * co);
    const q = new Float64Array(16);
    const p = new Float64Array(12);
    for (let c = 0; c < ci; c++) {
      for (let o = 0; o < co; o++) {
        for (let t = 0; t < 16; t++) q[t] = ms[(t * ci + c) * coPad + o];
        for (let s = 0; s < 4; s++) {
          p[s] = q[s] + 0.5 * (q[4 + s] + q[8 + s]);
          p[4 + s] = 0.5 * (q[4 + s] - q[8 + s]);
          p[8 + s] = 0.5 * (q[4 + s] + q[8 + s]) + q[12 + s];
        }
        for (let r = 0; r < 3; r++) {
          const [a, b, d, f] = [p[r * 4], p[r * 4 + 1], p[r * 4 + 2], p[r * 4 + 3]];
          out[(r * 3 * ci + c) * co + o] = a + 0.5 * (b + d);
          out[((r * 3 + 1) * ci + c) * co + o] = 0.5 * (b - d);
          out[((r * 3 + 2) * ci + c) * co + o] = 0.5 * (b + d) + f;
        }
      }
    }
  } catch (err) {
    backend.disposeData(dw.dataId);
    throw err;
  } finally {
    for (const b of bufs) b.free();
  }
  return dw;
}
