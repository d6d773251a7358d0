// The supernet's batch norm: the batch's statistics, no scale or shift (DARTS' search setting). On wasm it is the
// trainer's fused kernel (gamma 1, beta 0): tf.moments and the arithmetic around it were ~14 kernels per call,
// forward and backward, and the cell supernet calls it after every convolution of every candidate. Replacing
// them halved a supernet step at 8 channels (alpha + weight step 180 -> 90 ms CPU, batch 64).
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from '../kernels/batchNorm';

const EPSILON = 1e-5;

/**
 * The fused kernel's gamma (1) and beta (0) for each channel count, made once for a network's life: two fresh
 * tensors per call were ~160 allocations a cell supernet step. The network disposes them with itself.
 */
export class UnitAffine {
  private readonly byChannels = new Map<number, [tf.Tensor1D, tf.Tensor1D]>();

  get(c: number): [tf.Tensor1D, tf.Tensor1D] {
    let t = this.byChannels.get(c);
    if (!t) {
      // Made during a forward pass, inside its tidy: kept, or the pass's end would dispose them.
      t = [tf.keep(tf.ones([c])), tf.keep(tf.zeros([c]))];
      this.byChannels.set(c, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.byChannels.values()) tf.dispose(t);
    this.byChannels.clear();
  }
}

/** Channels-last x normalised per channel; `fused` defaults to whether the backend has the fused kernel. */
export function normalize<T extends tf.Tensor>(x: T, fused = tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined, unit?: UnitAffine): T {
  const c = x.shape[x.shape.length - 1];
  if (fused) {
    const [gamma, beta] = unit?.get(c) ?? [tf.ones([c]), tf.zeros([c])];
    const [y] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta }, { epsilon: EPSILON }) as tf.Tensor[];
    return y as T;
  }
  const { mean, variance } = tf.moments(x, [...x.shape.keys()].slice(0, -1), true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON))) as T;
}
