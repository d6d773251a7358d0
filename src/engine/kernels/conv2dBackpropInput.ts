// wasm's own Conv2DBackpropInput is a scalar C++ loop, about 10x slower than the XNNPACK forward conv of the
// same size. dx is the "full" correlation of dy with the filter flipped in space and with its channel axes
// swapped, so it runs as that forward conv instead. With stride s, the rows of dx with h = r (mod s) only
// see the taps kh = r + top (mod s); each of the s*s phases is a stride-1 forward conv of dy with that
// sub-filter (1/s^2 of the work each), interleaved into dx afterwards. Spreading dy with zeros instead would
// cost s^2 times the arithmetic.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convExplicit, convGeometry, dispose, runWasm, transpose, type Info } from './common';
import { runOriginal } from './override';

/** One spatial dim of one phase: first tap, tap count, and the stride-1 conv's pads to produce `outLen`. */
function phase(r: number, stride: number, top: number, taps: number, inLen: number, outLen: number) {
  const first = (r + top) % stride;
  const count = first < taps ? Math.ceil((taps - first) / stride) : 0;
  const before = count - 1 - (r + top - first) / stride;
  return { first, count, before, after: outLen - inLen + count - 1 - before };
}

/** dx of one phase (rows r, r+s, ...): dy correlated with the flipped, channel-swapped sub-filter. */
function phaseGrad(
  backend: tf.KernelBackend,
  dy: Info,
  filter: Info,
  rows: ReturnType<typeof phase>,
  cols: ReturnType<typeof phase>,
  strides: [number, number],
): Info {
  const [fh, fw, ci, co] = filter.shape;
  const sub = runWasm(
    'StridedSlice',
    backend,
    { x: filter },
    {
      begin: [rows.first, cols.first, 0, 0],
      end: [fh, fw, ci, co],
      strides: [...strides, 1, 1],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
  );
  const flipped = runWasm('Reverse', backend, { x: sub }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
  dispose(backend, sub, flipped);
  try {
    const pads = { top: rows.before, bottom: rows.after, left: cols.before, right: cols.after };
    return convExplicit(backend, dy, swapped, [1, 1], [1, 1], pads, false);
  } finally {
    dispose(backend, swapped);
  }
}

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as unknown as { dy: Info; filter: Info };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  // wasm's own kernel, kept for what the forward-conv path does not cover.
  if (dataFormat === 'NCHW') return runOriginal(tf.Conv2DBackpropInput, args as Parameters<tf.KernelFunc>[0]);
  const info = convGeometry(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false);
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, batchSize: n, inChannels: c } = info;
  const [hq, wq] = [Math.ceil(h / sh), Math.ceil(w / sw)];
  const rowPhases = Array.from({ length: sh }, (_, r) => phase(r, sh, info.padInfo.top, info.filterHeight, dy.shape[1], hq));
  const colPhases = Array.from({ length: sw }, (_, r) => phase(r, sw, info.padInfo.left, info.filterWidth, dy.shape[2], wq));
  if (sh === 1 && sw === 1) return phaseGrad(backend, dy, filter, rowPhases[0], colPhases[0], [1, 1]);

  const dx = backend.makeOutput([n, h, w, c], 'float32');
  // Phases no tap reaches (a kernel smaller than the stride) stay zero.
  if (rowPhases.some((p) => p.count === 0) || colPhases.some((p) => p.count === 0)) backend.typedArrayFromHeap(dx).fill(0);
  try {
    for (let rh = 0; rh < sh; rh++) {
      for (let rw = 0; rw < sw; rw++) {
        if (rowPhases[rh].count === 0 || colPhases[rw].count === 0) continue;
        const part = phaseGrad(backend, dy, filter, rowPhases[rh], colPhases[rw], [sh, sw]);
        // Views taken after the allocations above: growing the wasm heap detaches older ones.
        const src = backend.typedArrayFromHeap(part);
        const dst = backend.typedArrayFromHeap(dx);
        for (let b = 0; b < n; b++) {
          for (let i = 0, y = rh; i < hq && y < h; i++, y += sh) {
            for (let j = 0, x = rw; j < wq && x < w; j++, x += sw) {
              let from = ((b * hq + i) * wq + j) * c;
              let to = ((b * h + y) * w + x) * c;
              for (let k = 0; k < c; k++) dst[to++] = src[from++];
            }
          }
        }
        dispose(backend, part);
      }
    }
  } catch (err) {
    dispose(backend, dx);
    throw err;
  }
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};
