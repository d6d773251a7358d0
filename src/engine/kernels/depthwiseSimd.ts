// Depthwise convolution with multiplier 1 on the register kernels of simd/depthwise.ts: the forward pass, the
// filter gradient and the input gradient (stride 1: a forward pass of the padded dy with the filter flipped).
// Each pads its input once into heap scratch (simd/pad.ts), so the kernels need no bounds checks. MobileNet's
// 128x14x14x32 3x3 layer (CPU time at load ~12): forward 1.28 -> 0.8 ms (depthwiseConv2d.ts), input gradient
// 1.27 -> 0.75-0.9 (tap walk before), filter gradient 1.37 -> 1.0-1.15; the stride-2 input gradient of
// 128x14x14x64 1.14-1.19 -> 0.57-0.61 (phases, below).
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { DW_MAX_TAPS, dwConvFn, dwFilterFn, type TapLayout } from './simd/depthwise';
import { kernelLoader } from './simd/loader';
import { addr, heapF32, scratch, simd, zero } from './simd/module';
import type { WindowGeometry } from './taps';
import { geometry } from './depthwiseWalk';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Kernel = (...args: number[]) => void;

// One kernel set per tap layout (filter size and the padded input's row and channel bytes), compiled on first use:
// a search meets a few dozen.
const loaders = new Map<string, (backend: tf.KernelBackend) => { dwConv: Kernel; dwFilter: Kernel }>();

function kernels(backend: tf.KernelBackend, t: TapLayout): { conv: Kernel; filter: Kernel } {
  const key = `${t.fh}x${t.fw}:${t.tapRow}:${t.tapCol}`;
  let load = loaders.get(key);
  if (load === undefined) loaders.set(key, (load = kernelLoader(() => [dwConvFn(t), dwFilterFn(t)])));
  const k = load(backend);
  return { conv: k.dwConv, filter: k.dwFilter };
}

/** A depthwise convolution's window geometry with its batch and channel counts. */
export type DwGeometry = WindowGeometry & { n: number; c: number };

export function dwGeometry(info: tf.backend_util.Conv2DInfo): DwGeometry {
  return { ...geometry(info), n: info.batchSize, c: info.inChannels };
}

/** Whether the register kernels take this convolution (channels in whole vectors, a filter that fits, pads >= 0). */
export function dwSimdFits(g: DwGeometry): boolean {
  return g.c % 4 === 0 && g.filterHeight * g.filterWidth <= DW_MAX_TAPS && g.padTop >= 0 && g.padLeft >= 0;
}

/** Where the taps lie in a padded input of `row` bytes per row. */
function layout(g: DwGeometry, row: number): TapLayout {
  return { fh: g.filterHeight, fw: g.filterWidth, tapRow: g.dilationHeight * row, tapCol: g.dilationWidth * g.c * 4 };
}

/** A zero-padded copy of t [n, h, w, c] with `top` rows and `left` columns before it, hp x wp in all. */
function padded(backend: Backend, t: Info, top: number, left: number, hp: number, wp: number): { ptr: number; free(): void } {
  const [n, h, w, c] = t.shape;
  const buf = scratch(backend, n * hp * wp * c * 4);
  simd(backend).pad(addr(backend, t), n, h, w * c * 4, hp, wp * c * 4, top, left * c * 4, w * c * 4, 0, buf.ptr);
  return buf;
}

/** The padded input's size, in pixels: every window of the forward geometry lies inside it. */
function paddedSize(g: DwGeometry): { hp: number; wp: number } {
  const hp = Math.max(g.inHeight + g.padTop, (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1);
  const wp = Math.max(g.inWidth + g.padLeft, (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1);
  return { hp, wp };
}

/** Bytes of padded images padded at a time: a slice that stays in L2 between its padding and its reading. */
const PAD_SLICE_BYTES = 256 * 1024;

/**
 * Images start .. start + n - 1 of t [n, h, w, c] zero-padded (`top` rows and `left` columns before, hp x wp in
 * all) a slice at a time into one small buffer, `run(buffer, first image, count)` called on each slice while it
 * is still in cache. Padding the whole batch first wrote it to memory and read it back (6-7 MB each way on the
 * MobileNet-style net's layers). Slices hold at most `most` images.
 */
function inSlices(
  backend: Backend,
  t: Info,
  pads: { top: number; left: number; hp: number; wp: number },
  start: number,
  n: number,
  most: number,
  run: (ptr: number, first: number, count: number) => void,
): void {
  const [, h, w, c] = t.shape;
  const [row, image] = [pads.wp * c * 4, pads.hp * pads.wp * c * 4];
  const slice = Math.max(1, Math.min(most, n, Math.floor(PAD_SLICE_BYTES / image)));
  const buf = scratch(backend, slice * image);
  try {
    for (let s = 0; s < n; s += slice) {
      const [first, count] = [start + s, Math.min(slice, n - s)];
      simd(backend).pad(addr(backend, t) + first * h * w * c * 4, count, h, w * c * 4, pads.hp, row, pads.top, pads.left * c * 4, w * c * 4, 0, buf.ptr);
      run(buf.ptr, first, count);
    }
  } finally {
    buf.free();
  }
}

/** y = depthwise conv of x [n, inH, inW, c] with filter [fh, fw, c, 1]. */
export function dwForward(backend: Backend, x: Info, filter: Info, g: DwGeometry): Info {
  const c4 = g.c * 4;
  const y = backend.makeOutput([g.n, g.outHeight, g.outWidth, g.c], 'float32');
  const { hp, wp } = paddedSize(g);
  const [row, imgY] = [wp * c4, g.outHeight * g.outWidth * c4];
  const conv = kernels(backend, layout(g, row)).conv;
  inSlices(backend, x, { top: g.padTop, left: g.padLeft, hp, wp }, 0, g.n, g.n, (ptr, first, count) =>
    conv(
      ...[ptr, hp * row, addr(backend, y) + first * imgY, imgY, addr(backend, filter), count, c4, g.outHeight, g.outWidth],
      ...[g.strideHeight * row, g.strideWidth * c4, g.outWidth * c4, c4],
    ),
  );
  return y;
}

/** dx for stride 1: the forward kernel over dy padded by (filter extent - 1 - pad), with the taps reversed. */
export function dwInputGradStride1(backend: Backend, dy: Info, filter: Info, g: DwGeometry): Info | undefined {
  const [fh, fw] = [g.filterHeight, g.filterWidth];
  const top = (fh - 1) * g.dilationHeight - g.padTop;
  const left = (fw - 1) * g.dilationWidth - g.padLeft;
  const hp = g.inHeight + (fh - 1) * g.dilationHeight;
  const wp = g.inWidth + (fw - 1) * g.dilationWidth;
  if (top < 0 || left < 0 || top + g.outHeight > hp || left + g.outWidth > wp) return undefined;
  const c4 = g.c * 4;
  const taps = fh * fw;
  const dx = backend.makeOutput([g.n, g.inHeight, g.inWidth, g.c], 'float32');
  const flipped = scratch(backend, taps * c4);
  try {
    const [src, dst] = [heapF32(backend, addr(backend, filter), taps * g.c), heapF32(backend, flipped.ptr, taps * g.c)];
    for (let t = 0; t < taps; t++) dst.set(src.subarray((taps - 1 - t) * g.c, (taps - t) * g.c), t * g.c);
    const [row, imgDx] = [wp * c4, g.inHeight * g.inWidth * c4];
    const conv = kernels(backend, layout(g, row)).conv;
    inSlices(backend, dy, { top, left, hp, wp }, 0, g.n, g.n, (ptr, first, count) =>
      conv(...[ptr, hp * row, addr(backend, dx) + first * imgDx, imgDx, flipped.ptr, count, c4, g.inHeight, g.inWidth], ...[row, c4, g.inWidth * c4, c4]),
    );
  } finally {
    flipped.free();
  }
  return dx;
}

/** One stride phase of a filter axis: the taps k0, k0 + s, ... that reach inputs a, a + s, ...; dy's row for input a + s*i and reversed tap m is i + r0 + m. */
interface Phase {
  a: number;
  k0: number;
  taps: number;
  r0: number;
  outputs: number;
}

function phases(size: number, filter: number, stride: number, pad: number): Phase[] {
  return Array.from({ length: stride }, (_, a) => {
    const k0 = (a + pad) % stride;
    const taps = k0 < filter ? Math.ceil((filter - k0) / stride) : 0;
    return { a, k0, taps, r0: (a + pad - k0) / stride - Math.max(0, taps - 1), outputs: Math.ceil((size - a) / stride) };
  });
}

/**
 * dx for strides above 1 (no dilation), phase by phase: the inputs a + s*i (per axis) receive taps a, a + s, ...
 * only, so each of the s*s phases is a stride-1 forward pass of (zero-margined) dy with those taps reversed,
 * written every s-th input. The tap walk read and wrote dx once per tap.
 */
export function dwInputGradStrided(backend: Backend, dy: Info, filter: Info, g: DwGeometry): Info | undefined {
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return undefined;
  const [fh, fw, c4] = [g.filterHeight, g.filterWidth, g.c * 4];
  const rows = phases(g.inHeight, fh, g.strideHeight, g.padTop);
  const cols = phases(g.inWidth, fw, g.strideWidth, g.padLeft);
  // Margins so every phase's reads land in the padded dy.
  const top = Math.max(0, ...rows.map((p) => -p.r0));
  const left = Math.max(0, ...cols.map((p) => -p.r0));
  const hp = top + Math.max(g.outHeight, ...rows.map((p) => p.r0 + p.outputs + p.taps - 1));
  const wp = left + Math.max(g.outWidth, ...cols.map((p) => p.r0 + p.outputs + p.taps - 1));
  const dx = backend.makeOutput([g.n, g.inHeight, g.inWidth, g.c], 'float32');
  if (rows.some((p) => p.taps === 0 || p.outputs <= 0) || cols.some((p) => p.taps === 0 || p.outputs <= 0)) zero(backend, dx);
  const sub = scratch(backend, fh * fw * c4);
  const dyp = padded(backend, dy, top, left, hp, wp);
  try {
    const row = wp * c4;
    for (const ph of rows) {
      for (const pw of cols) {
        if (ph.taps === 0 || pw.taps === 0 || ph.outputs <= 0 || pw.outputs <= 0) continue;
        const [src, dst] = [heapF32(backend, addr(backend, filter), fh * fw * g.c), heapF32(backend, sub.ptr, ph.taps * pw.taps * g.c)];
        for (let m = 0; m < ph.taps; m++) {
          for (let q = 0; q < pw.taps; q++) {
            const tap = (ph.k0 + g.strideHeight * (ph.taps - 1 - m)) * fw + pw.k0 + g.strideWidth * (pw.taps - 1 - q);
            dst.set(src.subarray(tap * g.c, (tap + 1) * g.c), (m * pw.taps + q) * g.c);
          }
        }
        kernels(backend, { fh: ph.taps, fw: pw.taps, tapRow: row, tapCol: c4 }).conv(
          ...[dyp.ptr + ((ph.r0 + top) * wp + pw.r0 + left) * c4, hp * row],
          ...[addr(backend, dx) + (ph.a * g.inWidth + pw.a) * c4, g.inHeight * g.inWidth * c4, sub.ptr, g.n, c4, ph.outputs, pw.outputs],
          ...[row, c4, g.strideHeight * g.inWidth * c4, g.strideWidth * c4],
        );
      }
    }
  } finally {
    dyp.free();
    sub.free();
  }
  return dx;
}

/**
 * dW: the kernel sums a group of images in float32 registers (a few thousand terms each), and the groups are
 * added in double precision, so a large batch rounds about as one group does.
 */
export function dwFilterGrad(backend: Backend, x: Info, dy: Info, g: DwGeometry, filterShape: number[]): Info {
  const c4 = g.c * 4;
  const taps = g.filterHeight * g.filterWidth;
  const perImage = g.outHeight * g.outWidth;
  const group = Math.max(1, Math.floor(4096 / perImage));
  const groups = Math.ceil(g.n / group);
  const dw = backend.makeOutput(filterShape, 'float32');
  const { hp, wp } = paddedSize(g);
  const row = wp * c4;
  const [imgX, imgDy] = [hp * row, perImage * c4];
  const sums = scratch(backend, groups * taps * c4);
  try {
    const k = kernels(backend, layout(g, row)).filter;
    heapF32(backend, sums.ptr, groups * taps * g.c).fill(0);
    for (let i = 0; i < groups; i++) {
      // The kernel adds to the group's sums, so the slices of a group accumulate into the same partial sum.
      inSlices(backend, x, { top: g.padTop, left: g.padLeft, hp, wp }, i * group, Math.min(group, g.n - i * group), group, (ptr, first, count) =>
        k(
          ...[ptr, imgX, addr(backend, dy) + first * imgDy, imgDy, sums.ptr + i * taps * c4, count, c4, g.outHeight, g.outWidth],
          ...[g.strideHeight * row, g.strideWidth * c4, g.outWidth * c4, c4],
        ),
      );
    }
    const partial = heapF32(backend, sums.ptr, groups * taps * g.c);
    const total = new Float64Array(taps * g.c);
    for (let i = 0; i < partial.length; i += total.length) for (let j = 0; j < total.length; j++) total[j] += partial[i + j];
    heapF32(backend, addr(backend, dw), total.length).set(total);
  } finally {
    sums.free();
  }
  return dw;
}
