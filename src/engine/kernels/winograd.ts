// Stride-1 r x r convolutions as Winograd F(m x m, r x r) (simd/winograd.ts): alpha^2 GEMMs over transformed
// tiles replace the direct convolution's r^2 multiplications per output with alpha^2 / m^2, which more than
// pays for the transforms once there are a few channels on each side. Used for the forward Conv2D, for the
// input gradient (itself a stride-1 convolution of dy with the flipped, channel-swapped filter) and, read
// backwards, for the filter gradient.
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { NR } from './simd/gemm';
import { addr, heapF32, scratch, simd } from './simd/module';
import { WINOGRAD_TILES } from './simd/winograd';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

/** Whether the Winograd path takes a convolution with these channel counts (both sides a multiple of 4). */
export function winogradFits(inChannels: number, outChannels: number): boolean {
  return inChannels % 4 === 0 && outChannels % 4 === 0 && inChannels >= 8 && outChannels >= 8;
}

/**
 * The output tile m for an r x r filter and this output size, or undefined when no Winograd variant is
 * generated for r. Larger tiles save multiplications but waste the part of the last tile row and column that
 * overhangs the output, and their transforms cost more per tile; the choice minimises an estimate of both,
 * calibrated with `npm run bench:kernels` (transforms cost about as much as `alpha` GEMM multiply-adds per
 * padded pixel and channel).
 */
export function winogradTile(r: number, outH: number, outW: number, ci: number, co: number): number | undefined {
  let best: number | undefined;
  let bestCost = Infinity;
  for (const [m, rr] of WINOGRAD_TILES) {
    if (rr !== r) continue;
    const cost = winogradCost(m, r, outH, outW, ci, co);
    if (cost < bestCost) [best, bestCost] = [m, cost];
  }
  return best;
}
const TRANSFORM_WEIGHT = 1.5;

/** winogradTile's estimate for one image with F(m x m, r x r), in GEMM multiply-adds (direct: outH*outW*r*r*ci*co). */
export function winogradCost(m: number, r: number, outH: number, outW: number, ci: number, co: number): number {
  const alpha = m + r - 1;
  const tiles = Math.ceil(outH / m) * Math.ceil(outW / m);
  return tiles * alpha * alpha * (ci * co + TRANSFORM_WEIGHT * alpha * (ci + co));
}

function tileGrid(m: number, outH: number, outW: number, n: number) {
  const tilesH = Math.ceil(outH / m);
  const tilesW = Math.ceil(outW / m);
  return { tilesH, tilesW, tilesPerImage: tilesH * tilesW, tiles: n * tilesH * tilesW };
}

/** Tiles per block: the block's V and M (alpha^2 planes each) stay within ~512 KB, in L2 between the passes. */
function blockTiles(alpha: number, ci: number, coPad: number): number {
  return Math.max(4, Math.floor(131072 / (alpha * alpha * (ci + coPad))));
}

/**
 * Bytes between the alpha^2 planes of a block's V, M or E, or of the filter's U and the filter gradient's sums
 * (count rows of rowBytes each): rounded up to a whole odd number of 64-byte lines. The transforms touch one
 * vector in every plane per tile; at a stride that is a multiple of 4 KiB (16 tiles x 64 channels, 64 x 64
 * channels) all alpha^2 of them fall in one L1 set and evict each other, which made the 5x5 64->64 transforms on
 * 7x7 maps 3-15x slower (winoDy 4.1 -> 0.27 ms, winoIn 3.6 -> 0.9 ms).
 */
export function planeStride(count: number, rowBytes: number): number {
  const lines = Math.ceil((count * rowBytes) / 64);
  return (lines | 1) * 64;
}

/**
 * Copies x [n, h, w, c] into a zero-bordered [n, hp, wp, c] buffer at (top, left), cropping what falls outside,
 * so every tile's patch can be read without bounds checks (simd/pad.ts). The caller frees the buffer.
 */
export function padded(backend: Backend, x: Info, hp: number, wp: number, top: number, left: number): { ptr: number; free(): void } {
  const [n, h, w, c] = x.shape;
  const buf = scratch(backend, n * hp * wp * c * 4);
  // Source columns [c0, c1) land at left + c0 .. left + c1 of each destination row.
  const [c0, c1] = [Math.max(0, -left), Math.max(Math.max(0, -left), Math.min(w, wp - left))];
  try {
    simd(backend).pad(addr(backend, x), n, h, w * c * 4, hp, wp * c * 4, top, Math.min(left + c0, wp) * c * 4, (c1 - c0) * c * 4, c0 * c * 4, buf.ptr);
  } catch (err) {
    buf.free();
    throw err;
  }
  return buf;
}

/**
 * y[n, oh, ow, o] = sum over kh, kw, c of x[n, oh + kh - top, ow + kw - left, c] * filter[kh, kw, c, o], zero
 * outside x, for an output of outH x outW, with F(m x m, r x r). x is [n, h, w, ci] and filter [r, r, ci, co]
 * in the wasm heap; y is a new backend tensor.
 */
export function winogradConv(backend: Backend, x: Info, filter: Info, pads: { top: number; left: number }, outH: number, outW: number, m: number): Info {
  return winogradConvOn(backend, tensorInput(backend, x, pads), filter, outH, outW, m);
}

/**
 * What the Winograd passes read: n images of ci channels, handed over as a zero-bordered hp x wp buffer (each tile's
 * patch at its place, zeros past the image). A tensor's is padded(); a strided convolution's, its space-to-depth
 * rearrangement (spaceToDepth.ts).
 */
export interface WinogradInput {
  n: number;
  ci: number;
  padded(hp: number, wp: number): { ptr: number; free(): void };
  /** A tensor's: read where it is, with zeros past its edges (winoInB), instead of through padded(). */
  direct?: { at: number; h: number; w: number; top: number; left: number };
}

function tensorInput(backend: Backend, x: Info, pads: { top: number; left: number }): WinogradInput {
  const [n, h, w, ci] = x.shape;
  return { n, ci, padded: (hp, wp) => padded(backend, x, hp, wp, pads.top, pads.left), direct: { at: addr(backend, x), h, w, ...pads } };
}

/**
 * The input transform, block by block (`run`), then `free`: straight from the tensor where the input is one, with
 * no zero-bordered copy (F(4x4, 3x3), batch 64, in-process CPU min of 40 against pad + winoIn: 4x4x64 0.054 ->
 * 0.038 ms, 8x8x32 0.097 -> 0.080, 14x14x32 0.35 -> 0.31, 16x16x16 and 28x28x16 within 5%); else (space-to-depth)
 * from the buffer the input makes.
 */
function inputTransform(backend: Backend, input: WinogradInput, alpha: number, m: number, hp: number, wp: number, tilesW: number, tilesPerImage: number) {
  const k = simd(backend);
  const { direct, ci } = input;
  const buf = direct ? scratch(backend, ci * 4) : input.padded(hp, wp);
  if (direct) heapF32(backend, buf.ptr, ci).fill(0);
  return {
    run(t0: number, count: number, v: number, vPlane: number) {
      if (direct) k[`winoInB${alpha}`](direct.at, direct.h, direct.w, ci, direct.top, direct.left, m, tilesW, tilesPerImage, t0, count, v, vPlane, buf.ptr);
      else k[`winoIn${alpha}`](buf.ptr, hp, wp, ci, m, tilesW, tilesPerImage, t0, count, v, vPlane);
    },
    free: () => buf.free(),
  };
}

/** winogradConv on any input: y [n, outH, outW, co] = the stride-1 correlation of the input's buffer with filter. */
export function winogradConvOn(backend: Backend, input: WinogradInput, filter: Info, outH: number, outW: number, m: number): Info {
  const { n, ci } = input;
  const [r, , , co] = filter.shape;
  const alpha = m + r - 1;
  const planes = alpha * alpha;
  const coPad = Math.ceil(co / NR) * NR;
  const { tilesW, tilesPerImage, tiles, tilesH } = tileGrid(m, outH, outW, n);
  const [hp, wp] = [tilesH * m + r - 1, tilesW * m + r - 1];
  const block = Math.min(tiles, blockTiles(alpha, ci, coPad));
  const y = backend.makeOutput([n, outH, outW, co], 'float32');
  const bufs: Array<{ free(): void }> = [];
  try {
    const xIn = inputTransform(backend, input, alpha, m, hp, wp, tilesW, tilesPerImage);
    bufs.push(xIn);
    const [uPlane, vPlane, mPlane] = [planeStride(ci, coPad * 4), planeStride(block, ci * 4), planeStride(block, coPad * 4)];
    const [u, v, mm] = [planes * uPlane, planes * vPlane, planes * mPlane].map((bytes) => scratch(backend, bytes));
    bufs.push(u, v, mm);
    heapF32(backend, u.ptr, (planes * uPlane) / 4).fill(0);
    const k = simd(backend);
    k[`winoFilter${m}x${r}`](addr(backend, filter), ci, co, u.ptr, uPlane);
    const winoOut = k[`winoOut${m}x${alpha}`];
    const yAt = addr(backend, y);
    for (let t0 = 0; t0 < tiles; t0 += block) {
      const count = Math.min(block, tiles - t0);
      xIn.run(t0, count, v.ptr, vPlane);
      for (let t = 0; t < planes; t++) {
        k.gemm(v.ptr + t * vPlane, ci * 4, u.ptr + t * uPlane, mm.ptr + t * mPlane, coPad * 4, count, coPad, ci, 0);
      }
      winoOut(mm.ptr, coPad * 4, yAt, outH, outW, co, tilesW, tilesPerImage, t0, count, mPlane);
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
 * The filter gradient of a stride-1 r x r convolution of x ([n, h, w, ci]) giving dy ([n, oh, ow, co]) with the
 * given pads: dW[kh, kw, c, o] = sum of x[n, oh + kh - top, ow + kw - left, c] * dy[n, oh, ow, o].
 */
export function winogradFilterGrad(backend: Backend, x: Info, dy: Info, r: number, pads: { top: number; left: number }, m: number): Info {
  return winogradFilterGradOn(backend, tensorInput(backend, x, pads), dy, r, m);
}

/** winogradFilterGrad on any input: dW [r, r, ci, co] of the stride-1 correlation of its buffer that gave dy. */
export function winogradFilterGradOn(backend: Backend, input: WinogradInput, dy: Info, r: number, m: number): Info {
  const ci = input.ci;
  const [n, outH, outW, co] = dy.shape;
  const alpha = m + r - 1;
  const planes = alpha * alpha;
  const coPad = Math.ceil(co / NR) * NR;
  const { tilesW, tilesPerImage, tiles, tilesH } = tileGrid(m, outH, outW, n);
  const [hp, wp] = [tilesH * m + r - 1, tilesW * m + r - 1];
  const block = Math.min(tiles, blockTiles(alpha, ci, coPad));
  const dw = backend.makeOutput([r, r, ci, co], 'float32');
  const bufs: Array<{ free(): void }> = [];
  try {
    const xIn = inputTransform(backend, input, alpha, m, hp, wp, tilesW, tilesPerImage);
    bufs.push(xIn);
    const [vPlane, ePlane, mPlane] = [planeStride(block, ci * 4), planeStride(block, coPad * 4), planeStride(ci, coPad * 4)];
    const [zeros, v, e, mm] = [co * 4, planes * vPlane, planes * ePlane, planes * mPlane].map((bytes) => scratch(backend, bytes));
    bufs.push(zeros, v, e, mm);
    heapF32(backend, zeros.ptr, co).fill(0);
    const k = simd(backend);
    const winoDy = k[`winoDy${m}x${alpha}`];
    const dyAt = addr(backend, dy);
    for (let t0 = 0; t0 < tiles; t0 += block) {
      const count = Math.min(block, tiles - t0);
      xIn.run(t0, count, v.ptr, vPlane);
      winoDy(dyAt, outH, outW, co, tilesW, tilesPerImage, t0, count, e.ptr, zeros.ptr, ePlane);
      for (let t = 0; t < planes; t++) {
        // M[t] (+)= V[t]^T . E[t]: V[t] is [tiles][ci], read transposed in place; E[t] comes packed.
        const c = mm.ptr + t * mPlane;
        k.gemmT(v.ptr + t * vPlane, ci * 4, e.ptr + t * ePlane, c, coPad * 4, ci, coPad, count, t0 > 0 ? 1 : 0);
      }
    }
    k[`winoGrad${m}x${r}`](mm.ptr, ci, co, coPad * 4, addr(backend, dw), mPlane);
  } catch (err) {
    backend.disposeData(dw.dataId);
    throw err;
  } finally {
    for (const b of bufs) b.free();
  }
  return dw;
}
