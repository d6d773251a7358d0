// A ReLU conv layer followed by a max pool (every conv block of the race's space and of most CNNs) runs as
// conv -> max pool -> bias + ReLU: max_window(relu(z + b)) = relu(max_window(z) + b) for a per-channel bias,
// since adding a constant and ReLU are both monotonic (and float rounding is monotonic too, so the forward values
// are the same bits). The fused bias + ReLU (biasRelu.ts) and its gradient then run on the pooled map, a quarter
// of the conv's output, instead of the whole of it: ~0.6 ms of a 14.6 ms step on the race's conv32 3x3 - pool -
// dense128 network at batch 64 (bench --profile), more on wider first layers.
// The builder pairs the two layers (pairConvPool) where the conv's output feeds the pool and nothing else; the
// conv layer (convLayer.ts) then returns its pre-activation output marked with its bias, and the pool layer
// applies both. Anything else, and a conv that did not take our route, runs tfjs's own code. The layers stay
// plain tfjs layers, so a saved model computes the same thing anywhere.
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU } from './biasRelu';

type Call = (this: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor | tf.Tensor[];

/** Conv layers whose output only a channels-last max pool reads. */
const paired = new WeakSet<object>();
/** A paired conv's pre-activation output -> the bias its pool applies after pooling. */
const pending = new WeakMap<tf.Tensor, tf.Tensor>();
let original: Call | undefined;

/** Called by the builder for a conv2d layer whose output goes to this max-pooling layer alone. */
export function pairConvPool(conv: tf.layers.Layer, pool: tf.layers.Layer): void {
  const format = (pool as unknown as { dataFormat?: string }).dataFormat;
  if (conv.getClassName() === 'Conv2D' && pool.getClassName() === 'MaxPooling2D' && format === 'channelsLast') paired.add(conv);
}

/** Whether this conv layer's bias and ReLU may be left to its pool (the pool layer is routed, and paired with it). */
export function poolAfter(conv: object): boolean {
  return original !== undefined && paired.has(conv);
}

/** Marks z (a paired conv's output before bias and ReLU) for its pool; returns z. */
export function deferBiasRelu(z: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  pending.set(z, bias);
  return z;
}

const routedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
  const bias = x instanceof tf.Tensor ? pending.get(x) : undefined;
  if (bias === undefined) return original!.call(this, inputs, kwargs);
  return tf.tidy(() => tf.engine().runKernel(BIAS_RELU, { x: original!.call(this, inputs, kwargs) as tf.Tensor, bias }) as tf.Tensor);
};

/** Idempotent. */
export function routeMaxPoolLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.maxPooling2d({ poolSize: 2 })) as { call: Call };
  if (proto.call === routedCall) return;
  original = proto.call;
  proto.call = routedCall;
}
