// Mean over a run of axes that are not the innermost (global average pooling's [1, 2], the batch axis), and
// its gradient. wasm's Mean transposes the whole input to bring the axes innermost first; tfjs's gradient
// builds a ones tensor of the input's size in JavaScript (tf.ones) and multiplies and divides by it: on the
// MobileNet-style net that was ~30 ms of a 75 ms step. Here the forward sums rows in place (simd/reduce.ts) and
// the gradient is one SIMD broadcast pass (simd/walk.ts).
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { runOriginal } from './override';
import { fused } from './simd/fused';
import { addr, heapF32, scratch, simd, zero } from './simd/module';

export const MEAN_GRAD = 'NasMeanGrad';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** The input seen as [outer, reduced, inner] when `axis` names a run of consecutive axes, else undefined. */
export function splitAxes(shape: number[], axis: number | number[]): { outer: number; reduced: number; inner: number } | undefined {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0] + i)) return undefined;
  const [first, last] = [axes[0], axes[axes.length - 1]];
  return { outer: prod(shape.slice(0, first)), reduced: prod(shape.slice(first, last + 1)), inner: prod(shape.slice(last + 1)) };
}

function mean(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { x } = args.inputs as unknown as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.MeanAttrs;
  const split = x.dtype === 'float32' ? splitAxes(x.shape, axis) : undefined;
  // Innermost axes are wasm's own fast case.
  if (!split || split.inner === 1) return runOriginal(tf.Mean, args);
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const out = backend.makeOutput(outShape, 'float32');
  zero(backend, out);
  const { outer, reduced, inner } = split;
  const [xa, oa] = [addr(backend, x), addr(backend, out)];
  for (let o = 0; o < outer; o++) simd(backend).sumRows(xa + o * reduced * inner * 4, reduced, inner, oa + o * inner * 4);
  const v = heapF32(backend, oa, outer * inner);
  for (let i = 0; i < v.length; i++) v[i] /= reduced;
  return out;
}

export const meanConfig: tf.KernelConfig = { kernelName: tf.Mean, backendName: 'wasm', kernelFunc: mean as tf.KernelFunc };

/** dx[o, r, i] = dy[o, i] / reduced: the input gradient of a mean over a run of axes (checked by the caller). */
function meanGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { dy, x } = args.inputs as unknown as { dy: Info; x: Info };
  const { axis } = args.attrs as unknown as tf.MeanAttrs;
  const { outer, reduced, inner } = splitAxes(x.shape, axis)!;
  const dx = backend.makeOutput(x.shape, 'float32');
  const inv = scratch(backend, inner * 4);
  try {
    zero(backend, dx);
    heapF32(backend, inv.ptr, inner).fill(1 / reduced);
    const [dya, dxa] = [addr(backend, dy), addr(backend, dx)];
    for (let o = 0; o < outer; o++)
      fused(backend).macWalk(dya + o * inner * 4, inv.ptr, dxa + o * reduced * inner * 4, 1, reduced, inner, 0, 0, 0, 0, 0, inner * 4);
  } finally {
    inv.free();
  }
  return dx;
}

export const meanGradConfig: tf.KernelConfig = { kernelName: MEAN_GRAD, backendName: 'wasm', kernelFunc: meanGrad as tf.KernelFunc };

let tfjsMeanGradient: tf.GradConfig | undefined;

/** Mean's gradient through MEAN_GRAD on backends that register it, tfjs's own everywhere else. Idempotent. */
export function routeMeanGradient(): void {
  const current = tf.getGradient(tf.Mean);
  if (current === undefined || current.gradFunc === meanGradient.gradFunc) return;
  tfjsMeanGradient = current;
  tf.registerGradient(meanGradient);
}

const meanGradient: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const fast = tf.getKernel(MEAN_GRAD, tf.getBackend()) !== undefined && x.dtype === 'float32' && splitAxes(x.shape, (attrs as unknown as tf.MeanAttrs).axis);
    if (!fast) return tfjsMeanGradient!.gradFunc(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(MEAN_GRAD, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
  },
};
