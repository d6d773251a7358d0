// Routes tfjs's BatchNormalization layer, in training, to the fused batch-norm kernel (kernels/batchNorm.ts) on a
// backend that registers it. Patched on the layer class rather than swapped in by the builder so that every
// batch-norm layer trains through it, those of models loaded from disk (backbones, promoted trials) included,
// and so saved models stay plain tfjs BatchNormalization layers. Anything the fused kernel does not cover (not
// training, another axis, no gamma or beta, another backend) runs tfjs's own code unchanged.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING, MOVING_AVERAGES } from './batchNorm';

interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: { read(): tf.Tensor } | null;
  beta?: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(t: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(t: tf.Tensor): void };
}
type Call = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor;

let original: Call | undefined;

function fusable(layer: BatchNormLayer, x: tf.Tensor): boolean {
  const rank = x.shape.length;
  return (
    x.dtype === 'float32' &&
    rank >= 2 &&
    (layer.axis === -1 || layer.axis === rank - 1) &&
    layer.gamma != null &&
    layer.beta != null &&
    tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined &&
    tf.getKernel(MOVING_AVERAGES, tf.getBackend()) !== undefined
  );
}

const fusedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (!kwargs?.training || (Array.isArray(inputs) && inputs.length !== 1) || !fusable(this, x)) return original!.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const inputs = { x, gamma: this.gamma!.read(), beta: this.beta!.read() };
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, { epsilon: this.epsilon }) as tf.Tensor[];
    // tfjs's moving-average update (value - (value - batch) * (1 - momentum)) for both statistics in one kernel.
    const moving = { movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read(), mean, variance };
    const [m, v] = tf.engine().runKernel(MOVING_AVERAGES, moving, { momentum: this.momentum }) as tf.Tensor[];
    this.movingMean.write(m);
    this.movingVariance.write(v);
    return y;
  });
};

/** Idempotent. */
export function routeBatchNormLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: Call };
  if (proto.call === fusedCall) return;
  original = proto.call;
  proto.call = fusedCall;
}
