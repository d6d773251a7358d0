// Batch normalisation in training, fused. tfjs's layer computes tf.moments (two Mean kernels that each transpose
// the whole input on wasm), then FusedBatchNorm, and differentiates through that chain: broadcast multiplies,
// Tiles of [1,1,1,C] to the input's size, more means. On the batch-norm CNN of the bench that was ~60% of a step.
// Here one kernel makes the output and the batch statistics in three passes (sum, centred sum of squares,
// normalise), and its gradient is two passes (two per-channel sums, then dx); all channels-last, in SIMD.
// layers/batchNorm.ts routes tfjs's BatchNormalization layer to it on backends that register it (wasm).
import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type Info } from './common';
import { runOriginal } from './override';
import { fused } from './simd/fused';
import { addr, heapF32, scratch, simd, zero } from './simd/module';

export const BATCH_NORM_TRAINING = 'NasBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'NasBatchNormTrainingGrad';
export const MOVING_AVERAGES = 'NasMovingAverages';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** [y, mean, variance] of x normalised over every axis but the last (variance biased, as tf.moments gives it). */
function batchNormTraining(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { x, gamma, beta } = args.inputs as unknown as { x: Info; gamma: Info; beta: Info };
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const c = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / c;
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  const scale = scratch(backend, 4 * c);
  try {
    zero(backend, mean);
    zero(backend, variance);
    simd(backend).sumRows(addr(backend, x), rows, c, addr(backend, mean));
    const m = heapF32(backend, addr(backend, mean), c);
    for (let j = 0; j < c; j++) m[j] /= rows;
    fused(backend).sumSqDev(addr(backend, x), rows, c, addr(backend, mean), addr(backend, variance));
    const v = heapF32(backend, addr(backend, variance), c);
    const g = heapF32(backend, addr(backend, gamma), c);
    const s = heapF32(backend, scale.ptr, c);
    for (let j = 0; j < c; j++) {
      v[j] /= rows;
      s[j] = g[j] / Math.sqrt(v[j] + epsilon);
    }
    fused(backend).affine(addr(backend, x), rows, c, addr(backend, mean), scale.ptr, addr(backend, beta), addr(backend, y));
  } finally {
    scale.free();
  }
  return [y, mean, variance];
}

/**
 * [dx, dgamma, dbeta] given the gradients of all three outputs (tfjs passes zeros for unused ones). With
 * xhat = (x - mean) * invstd and n rows: dbeta = sum dy, dgamma = sum dy * xhat, and
 * dx = a*dy + b*(x - mean) + c per channel, a = gamma*invstd, b = -a*invstd*dgamma/n + 2*dvar/n, c = (dmean - a*dbeta)/n.
 */
function batchNormTrainingGrad(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { dy, x, gamma, mean, variance, dmean, dvariance } = args.inputs as unknown as Record<string, Info>;
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const c = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / c;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const coef = scratch(backend, 12 * c);
  try {
    zero(backend, dgamma);
    zero(backend, dbeta);
    fused(backend).sumDyXc(addr(backend, dy), addr(backend, x), rows, c, addr(backend, mean), addr(backend, dbeta), addr(backend, dgamma));
    const [a, b, k] = [0, 1, 2].map((i) => heapF32(backend, coef.ptr + 4 * c * i, c));
    const [g, v, dg, db, dm, dv] = [gamma, variance, dgamma, dbeta, dmean, dvariance].map((t) => heapF32(backend, addr(backend, t), c));
    for (let j = 0; j < c; j++) {
      const invstd = 1 / Math.sqrt(v[j] + epsilon);
      dg[j] *= invstd;
      a[j] = g[j] * invstd;
      b[j] = (-a[j] * invstd * dg[j] + 2 * dv[j]) / rows;
      k[j] = (dm[j] - a[j] * db[j]) / rows;
    }
    fused(backend).affine2(addr(backend, dy), addr(backend, x), rows, c, coef.ptr, addr(backend, mean), coef.ptr + 4 * c, coef.ptr + 8 * c, addr(backend, dx));
  } finally {
    coef.free();
  }
  return [dx, dgamma, dbeta];
}

/**
 * [movingMean, movingVariance] after one training step: each value - (value - batch) * (1 - momentum), rounded to
 * float32 after every operation as tfjs's Sub, Mul, Sub give it, in one kernel where the layer ran six (and made a
 * scalar tensor for 1 - momentum twice): 66 of a cell network's ~260 kernel calls a step, each costing more in
 * tfjs's bookkeeping than in arithmetic on 16-64 channels.
 */
function movingAverages(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { movingMean, movingVariance, mean, variance } = args.inputs as unknown as Record<string, Info>;
  const { momentum } = args.attrs as unknown as { momentum: number };
  const decay = Math.fround(1 - momentum);
  return [
    [movingMean, mean],
    [movingVariance, variance],
  ].map(([moving, batch]) => {
    const c = size(moving.shape);
    const out = backend.makeOutput(moving.shape, 'float32');
    const [o, v, b] = [out, moving, batch].map((t) => heapF32(backend, addr(backend, t), c));
    for (let j = 0; j < c; j++) o[j] = Math.fround(v[j] - Math.fround(Math.fround(v[j] - b[j]) * decay));
    return out;
  });
}

export const movingAveragesConfig = wasmKernel(MOVING_AVERAGES, movingAverages);

export const batchNormTrainingConfig = wasmKernel(BATCH_NORM_TRAINING, batchNormTraining);

export const batchNormTrainingGradConfig = wasmKernel(BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad);

export const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    // One kernel makes all three gradients, so it runs here: the tape calls each input's function inside a tidy
    // of its own, which would dispose the other two. Those nobody asks for go with the backward pass's tidy.
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, gamma, mean, variance, dmean, dvariance }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/**
 * Inference (and validation) batch norm on wasm: one SIMD pass y = (x - mean) * gamma/sqrt(var + eps) + beta,
 * when the statistics are per-channel vectors; anything else goes to wasm's own kernel.
 */
function fusedBatchNorm(args: Args): Info {
  const backend = args.backend as Backend;
  const { x, mean, variance, offset, scale } = args.inputs as unknown as Record<string, Info | undefined>;
  const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
  const c = x!.shape[x!.shape.length - 1];
  const perChannel = (t: Info | undefined) => t === undefined || (size(t.shape) === c && t.dtype === 'float32');
  if (x!.dtype !== 'float32' || x!.shape.length < 1 || ![mean, variance, offset, scale].every(perChannel)) return runOriginal(tf.FusedBatchNorm, args);
  const rows = size(x!.shape) / c;
  const y = backend.makeOutput(x!.shape, 'float32');
  const coef = scratch(backend, 8 * c);
  try {
    const [s, t] = [heapF32(backend, coef.ptr, c), heapF32(backend, coef.ptr + 4 * c, c)];
    const [v, g, o] = [variance, scale, offset].map((u) => (u ? heapF32(backend, addr(backend, u), c) : undefined));
    for (let j = 0; j < c; j++) {
      s[j] = (g ? g[j] : 1) / Math.sqrt(v![j] + varianceEpsilon);
      t[j] = o ? o[j] : 0;
    }
    fused(backend).affine(addr(backend, x!), rows, c, addr(backend, mean!), coef.ptr, coef.ptr + 4 * c, addr(backend, y));
  } finally {
    coef.free();
  }
  return y;
}

export const fusedBatchNormConfig: tf.KernelConfig = {
  kernelName: tf.FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: fusedBatchNorm as unknown as tf.KernelFunc,
};
