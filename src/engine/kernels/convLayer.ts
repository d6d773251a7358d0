// Routes tfjs's Conv2D layer with a ReLU and a bias to the unfused convolution followed by the fused bias + ReLU
// kernel (biasRelu.ts), in training and out, on a backend that registers it. Patched on the layer class for the
// reason batchNormLayer.ts gives (loaded models train through it too, saved models stay plain tfjs layers).
// A linear conv without bias goes to the plain Conv2D op (plainLinear says why). Anything else (other
// activations, channels first, another backend) runs tfjs's own code unchanged. Followed by a max pool, the
// bias and ReLU move after the pool (convPool.ts).
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU } from './biasRelu';
import { deferBiasRelu, poolAfter } from './convPool';

export interface ConvLayer {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation?: { getClassName(): string } | null;
  kernel: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
}
type Call = (this: ConvLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor;

let original: Call | undefined;

/** Whether a conv layer of this configuration (Conv2D, depthwise or separable) can end in the fused kernel. */
export function routable(layer: Pick<ConvLayer, 'rank' | 'activation' | 'bias' | 'dataFormat' | 'padding'>, x: tf.Tensor): boolean {
  return (
    layer.rank === 2 &&
    layer.activation?.getClassName() === 'relu' &&
    layer.bias != null &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    x.rank === 4 &&
    x.dtype === 'float32' &&
    tf.getKernel(BIAS_RELU, tf.getBackend()) !== undefined
  );
}

/**
 * A linear conv without bias (a cell's ReLU-Conv-BN). tfjs-layers runs it as FusedConv2D, whose custom gradient
 * computes the input gradient whether or not anything needs it: 3.4 ms a step wasted on the cell network's stem,
 * whose input is the data. The plain Conv2D op's gradient is computed per input, only for those the tape needs.
 */
function plainLinear(layer: ConvLayer, x: tf.Tensor): boolean {
  return (
    layer.rank === 2 &&
    layer.activation?.getClassName() === 'linear' &&
    layer.bias == null &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    x.rank === 4 &&
    tf.getKernel(BIAS_RELU, tf.getBackend()) !== undefined
  );
}

const conv = (layer: ConvLayer, x: tf.Tensor) =>
  tf.conv2d(
    x as tf.Tensor4D,
    layer.kernel.read() as tf.Tensor4D,
    layer.strides as [number, number],
    layer.padding as 'same',
    'NHWC',
    layer.dilationRate as [number, number],
  );

const routedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (Array.isArray(inputs) && inputs.length !== 1) return original!.call(this, inputs, kwargs);
  if (plainLinear(this, x)) return tf.tidy(() => conv(this, x));
  if (!routable(this, x)) return original!.call(this, inputs, kwargs);
  // A max pool follows (convPool.ts): it applies the bias and ReLU after pooling, on a quarter of the values.
  if (poolAfter(this)) return tf.tidy(() => deferBiasRelu(conv(this, x), this.bias!.read()));
  return tf.tidy(() => tf.engine().runKernel(BIAS_RELU, { x: conv(this, x), bias: this.bias!.read() }) as tf.Tensor);
};

/** Idempotent. */
export function routeConvLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: Call };
  if (proto.call === routedCall) return;
  original = proto.call;
  proto.call = routedCall;
}
