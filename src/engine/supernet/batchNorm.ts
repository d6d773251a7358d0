// The supernet's batch norm: the batch's statistics, no scale or shift (DARTS' search setting). On wasm it is the
// trainer's fused kernel (gamma 1, beta 0): tf.moments and the arithmetic around it were ~14 kernels per call,
// forward and backward, and the cell supernet calls it after every convolution of every candidate. Replacing
// them halved a supernet step at 8 channels (alpha + weight step 180 -> 90 ms CPU, batch 64).
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from '../kernels/batchNorm';

const EPSILON = 1e-5;

/** Channels-last x normalised per channel; `fused` defaults to whether the backend has the fused kernel. */
export function normalize<T extends tf.Tensor>(x: T, fused = tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined): T {
  const c = x.shape[x.shape.length - 1];
  if (fused) {
    const [y] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma: tf.ones([c]), beta: tf.zeros([c]) }, { epsilon: EPSILON }) as tf.Tensor[];
    return y as T;
  }
  const { mean, variance } = tf.moments(x, [...x.shape.keys()].slice(0, -1), true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON))) as T;
}
