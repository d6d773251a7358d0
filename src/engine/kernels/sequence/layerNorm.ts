// Layer normalization over the last axis as one kernel forward and one backward, on wasm. As tf ops (even
// broadcasting, layers/layerNorm.ts) it is ~12 kernels forward and ~25 in the gradient, each with the engine's
// per-op bookkeeping; a transformer block has two. Rows are normalised with double-precision sums.
// Forward: y = (x - mean) * rstd * gamma + beta, rstd = 1 / sqrt(var + epsilon).
// Backward, with xhat = (x - mean) * rstd and g = dy * gamma: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),
// dgamma = sum over rows of dy * xhat, dbeta = sum over rows of dy. Widths that are a multiple of four run in
// SIMD (layerNormSimd.ts, float32 sums), the rest in JavaScript.
import * as tf from '@tensorflow/tfjs';
import type { Info } from '../common';
import { addr, heapF32, scratch, zero } from '../simd/module';
import { sequenceSimd } from './module';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './names';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

const view = (backend: tf.KernelBackend, t: Info) =>
  heapF32(
    backend,
    addr(backend, t),
    t.shape.reduce((a, b) => a * b, 1),
  );

function layerNorm(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { x, gamma, beta } = args.inputs as unknown as Record<string, Info>;
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((a, b) => a * b, 1) / D;
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([N], 'float32');
  const rstd = backend.makeOutput([N], 'float32');
  if (D % 4 === 0) {
    const [xa, ga, ba, ya, ma, ra] = [x, gamma, beta, y, mean, rstd].map((t) => addr(backend, t));
    sequenceSimd(backend).layerNormRows(xa, ga, ba, ya, ma, ra, N, D, 1 / D, epsilon);
    return [y, mean, rstd];
  }
  const [xv, gv, bv, yv, mv, rv] = [x, gamma, beta, y, mean, rstd].map((t) => view(backend, t));
  for (let n = 0; n < N; n++) {
    const o = n * D;
    let sum = 0;
    for (let d = 0; d < D; d++) sum += xv[o + d];
    const mu = sum / D;
    let sq = 0;
    for (let d = 0; d < D; d++) sq += (xv[o + d] - mu) * (xv[o + d] - mu);
    const r = 1 / Math.sqrt(sq / D + epsilon);
    mv[n] = mu;
    rv[n] = r;
    for (let d = 0; d < D; d++) yv[o + d] = (xv[o + d] - mu) * r * gv[d] + bv[d];
  }
  return [y, mean, rstd];
}

function layerNormGrad(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { dy, x, gamma, mean, rstd } = args.inputs as unknown as Record<string, Info>;
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((a, b) => a * b, 1) / D;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([D], 'float32');
  const dbeta = backend.makeOutput([D], 'float32');
  if (D % 4 === 0) {
    zero(backend, dgamma);
    zero(backend, dbeta);
    const block = scratch(backend, 2 * D * 4);
    try {
      heapF32(backend, block.ptr, 2 * D).fill(0);
      const [dya, xa, ga, ma, ra, dxa, dga, dba] = [dy, x, gamma, mean, rstd, dx, dgamma, dbeta].map((t) => addr(backend, t));
      sequenceSimd(backend).layerNormGradRows(dya, xa, ga, ma, ra, dxa, dga, dba, block.ptr, N, D, 1 / D);
    } finally {
      block.free();
    }
    return [dx, dgamma, dbeta];
  }
  const [dyv, xv, gv, mv, rv, dxv] = [dy, x, gamma, mean, rstd, dx].map((t) => view(backend, t));
  const dg = new Float64Array(D);
  const db = new Float64Array(D);
  for (let n = 0; n < N; n++) {
    const o = n * D;
    const mu = mv[n];
    const r = rv[n];
    let sumG = 0;
    let sumGX = 0;
    for (let d = 0; d < D; d++) {
      const xhat = (xv[o + d] - mu) * r;
      const g = dyv[o + d] * gv[d];
      sumG += g;
      sumGX += g * xhat;
      dg[d] += dyv[o + d] * xhat;
      db[d] += dyv[o + d];
    }
    const meanG = sumG / D;
    const meanGX = sumGX / D;
    for (let d = 0; d < D; d++) dxv[o + d] = r * (dyv[o + d] * gv[d] - meanG - (xv[o + d] - mu) * r * meanGX);
  }
  view(backend, dgamma).set(dg);
  view(backend, dbeta).set(db);
  return [dx, dgamma, dbeta];
}

export const layerNormConfig: tf.KernelConfig = { kernelName: LAYER_NORM_KERNEL, backendName: 'wasm', kernelFunc: layerNorm as unknown as tf.KernelFunc };
export const layerNormGradConfig: tf.KernelConfig = {
  kernelName: LAYER_NORM_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: layerNormGrad as unknown as tf.KernelFunc,
};
