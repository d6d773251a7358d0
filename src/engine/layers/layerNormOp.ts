// The fused layer normalization (kernels/sequence/layerNorm.ts) as an op with its gradient, for backends that
// register the kernels (the engine's wasm); layerNorm.ts uses tf ops everywhere else.
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../kernels/sequence/names';
import type { Tensor, Tf } from './tf';

export function hasFusedLayerNorm(tf: Tf): boolean {
  return tf.getKernel(LAYER_NORM_KERNEL, tf.getBackend()) !== undefined && tf.getKernel(LAYER_NORM_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/** (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis of x. */
export function fusedLayerNorm(tf: Tf, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const op = tf.customGrad(((xi: Tensor, g: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x: xi, gamma: g, beta: b }, { epsilon }) as Tensor[];
    save([xi, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sg, sm, sr] = saved;
        return tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, x: sx, gamma: sg, mean: sm, rstd: sr }, {}) as Tensor[];
      },
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return (op as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor)(x, gamma, beta);
}
