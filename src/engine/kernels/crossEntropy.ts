// Categorical cross-entropy (the loss of every classification trial) as one kernel each way. tfjs-layers builds it
// from Sum, Div, ClipByValue, Log, Mul, Sum and Neg, and their gradients add about twenty more kernels, each on a
// [batch, classes] tensor of a few thousand floats: the arithmetic is nothing, the per-op cost of the engine is
// all. Here one pass over the rows in JavaScript makes the per-sample losses, and one makes the gradient. Both
// follow tfjs's formula element for element: p / sum(p), clipped to [eps, 1 - eps] (the clip passing the gradient
// where the value lies inside, bounds included), -sum(t * log(.)). Where the kernel is not registered (any backend
// but wasm) the loss is tfjs's own function.
import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type Info } from './common';
import { addr, heapF32 } from './simd/module';

export const CROSS_ENTROPY = 'NasCategoricalCrossentropy';
export const CROSS_ENTROPY_GRAD = 'NasCategoricalCrossentropyGrad';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The clip's bounds in float32, as tfjs holds them. */
function bounds(backend: tf.KernelBackend): [number, number] {
  const eps = Math.fround(backend.epsilon());
  return [eps, Math.fround(1 - eps)];
}

/** loss[r] = -sum_j t[r][j] * log(clip(p[r][j] / sum_j p[r][j])). */
function crossEntropy(args: Args): Info {
  const backend = args.backend as Backend;
  const { target, output } = args.inputs as unknown as { target: Info; output: Info };
  const width = output.shape[output.shape.length - 1];
  const rows = size(output.shape) / width;
  const loss = backend.makeOutput(output.shape.slice(0, -1), 'float32');
  const [t, p, out] = [
    heapF32(backend, addr(backend, target), rows * width),
    heapF32(backend, addr(backend, output), rows * width),
    heapF32(backend, addr(backend, loss), rows),
  ];
  const [lo, hi] = bounds(backend);
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    let s = 0;
    for (let j = 0; j < width; j++) s += p[o + j];
    let l = 0;
    for (let j = 0; j < width; j++) {
      const q = Math.fround(p[o + j] / s);
      // NaN fails both comparisons and stays NaN, as in tfjs's clip.
      l += t[o + j] * Math.log(q < lo ? lo : q > hi ? hi : q);
    }
    out[r] = -l;
  }
  return loss;
}

/**
 * dp from dy (one value per row): with q = p / s, g_j = -t_j / clip(q_j) * dy where lo <= q_j <= hi, else 0,
 * and dp_k = (g_k - sum_j g_j q_j) / s (the quotient's gradient through s = sum p).
 */
function crossEntropyGrad(args: Args): Info {
  const backend = args.backend as Backend;
  const { dy, target, output } = args.inputs as unknown as { dy: Info; target: Info; output: Info };
  const width = output.shape[output.shape.length - 1];
  const rows = size(output.shape) / width;
  const dp = backend.makeOutput(output.shape, 'float32');
  const n = rows * width;
  const [d, t, p, g] = [
    heapF32(backend, addr(backend, dy), rows),
    heapF32(backend, addr(backend, target), n),
    heapF32(backend, addr(backend, output), n),
    heapF32(backend, addr(backend, dp), n),
  ];
  const [lo, hi] = bounds(backend);
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    let s = 0;
    for (let j = 0; j < width; j++) s += p[o + j];
    let dot = 0;
    for (let j = 0; j < width; j++) {
      const q = Math.fround(p[o + j] / s);
      const gj = q >= lo && q <= hi ? (-t[o + j] / q) * d[r] : 0;
      g[o + j] = gj;
      dot += gj * q;
    }
    for (let j = 0; j < width; j++) g[o + j] = (g[o + j] - dot) / s;
  }
  return dp;
}

export const crossEntropyConfig = wasmKernel(CROSS_ENTROPY, crossEntropy);
export const crossEntropyGradConfig = wasmKernel(CROSS_ENTROPY_GRAD, crossEntropyGrad);

export const crossEntropyGradient: tf.GradConfig = {
  kernelName: CROSS_ENTROPY,
  inputsToSave: ['target', 'output'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [target, output] = saved;
    return {
      output: () => tf.engine().runKernel(CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, target, output }) as tf.Tensor,
      // Targets are data, never trained; this is here only so that a gradient asked of them is right.
      target: () => {
        const [lo, hi] = bounds(tf.backend());
        const q = tf.clipByValue(tf.div(output, tf.sum(output, -1, true)), lo, hi);
        return tf.mul(tf.neg(tf.log(q)), tf.expandDims(dy as tf.Tensor, -1));
      },
    };
  },
};

/**
 * The classification loss for model.compile: the fused kernel where the backend has it and the tensors are
 * float32, tfjs-layers' categoricalCrossentropy (the same function the 'categoricalCrossentropy' string names)
 * everywhere else. tfjs-layers still pairs 'accuracy' with categorical accuracy for a loss given as a function.
 */
export function categoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const fast =
    yPred.rank >= 1 &&
    yTrue.dtype === 'float32' &&
    yPred.dtype === 'float32' &&
    tf.util.arraysEqual(yTrue.shape, yPred.shape) &&
    tf.getKernel(CROSS_ENTROPY, tf.getBackend()) !== undefined;
  if (!fast) return tf.metrics.categoricalCrossentropy(yTrue, yPred);
  return tf.engine().runKernel(CROSS_ENTROPY, { target: yTrue, output: yPred }) as tf.Tensor;
}
