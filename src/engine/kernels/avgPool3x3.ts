// The 3x3, stride-1, 'same' average pool (a cell network's avgPool3x3 edge) and its gradient on simd/box3.ts:
// two 3-tap passes through a row buffer instead of XNNPACK's pool (forward) and nine per-tap walks an image
// (gradient). Batch 64 (CPU min of 25): 28x28x16 forward 0.91 -> 0.31 ms, gradient 1.36 -> 0.32; 16x16x16 0.31 ->
// 0.11 and 0.44 -> 0.11; 4x4x64 0.07 -> 0.04 and 0.08 -> 0.03.
import type * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { fused } from './simd/fused';
import { addr, heapF32, scratch } from './simd/module';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

/** A 3x3 window, stride 1, one pixel of padding each side (output as large as the input), whole vectors of channels. */
export function box3x3(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.effectiveFilterHeight === 3 &&
    info.effectiveFilterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 1 &&
    info.padInfo.left === 1 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth &&
    info.inChannels % 4 === 0
  );
}

/** y = the pool of x (forward) or dx = its gradient given dy (grad); `src` is x or dy, [n, h, w, c]. */
export function avgPool3x3(backend: Backend, src: Info, grad: boolean): Info {
  const [n, h, w, c] = src.shape;
  const out = backend.makeOutput(src.shape, 'float32');
  // rowW (h), colW (w), the zero row (w*c) and the row buffer with a zero pixel each side ((w + 2)*c).
  const floats = h + w + w * c + (w + 2) * c;
  const buf = scratch(backend, floats * 4);
  try {
    const all = heapF32(backend, buf.ptr, floats);
    all.fill(0, h + w);
    // 1 / (in-image rows or columns of the window around i): 3 inside, 2 at an edge, 1 when the side is 1.
    const inverse = (i: number, size: number) => 1 / (Math.min(i + 1, size - 1) - Math.max(i - 1, 0) + 1);
    for (let i = 0; i < h; i++) all[i] = inverse(i, h);
    for (let j = 0; j < w; j++) all[h + j] = inverse(j, w);
    const at = (floatsBefore: number) => buf.ptr + floatsBefore * 4;
    const k = fused(backend);
    (grad ? k.avgPool3x3Grad : k.avgPool3x3)(addr(backend, src), addr(backend, out), n, h, w, c, at(0), at(h), at(h + w), at(h + w + w * c));
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  } finally {
    buf.free();
  }
  return out;
}
