// Routes tfjs's Conv2D layer with a ReLU and a bias to the unfused convolution followed by the fused bias + ReLU
// kernel (biasRelu.ts), in training and out, on a backend that registers it. Patched on the layer class for the
// reason batchNormLayer.ts gives (loaded models train through it too, saved models stay plain tfjs layers).
// Anything else (other activations, no bias, channels first, another backend) runs tfjs's own code unchanged.
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU } from './biasRelu';

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

const routedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if ((Array.isArray(inputs) && inputs.length !== 1) || !routable(this, x)) return original!.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const z = tf.conv2d(
      x as tf.Tensor4D,
      this.kernel.read() as tf.Tensor4D,
      this.strides as [number, number],
      this.padding as 'same',
      'NHWC',
      this.dilationRate as [number, number],
    );
    return tf.engine().runKernel(BIAS_RELU, { x: z, bias: this.bias!.read() }) as tf.Tensor;
  });
};

/** Idempotent. */
export function routeConvLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: Call };
  if (proto.call === routedCall) return;
  original = proto.call;
  proto.call = routedCall;
}
