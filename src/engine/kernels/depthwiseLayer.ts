// Routes tfjs's DepthwiseConv2D and SeparableConv2D layers with a ReLU and a bias to their convolution followed by
// the fused bias + ReLU kernel (biasRelu.ts), as convLayer.ts does for Conv2D: on the MobileNet-style suite net
// their Add, Relu, ReLU gradient and bias Sum were ~1.5 ms (depthwise, 128x14x14x32) and ~0.8 ms (separable,
// 128x7x7x128) of a ~31 ms step. The convolutions are the ones the layers run: tfjs's DepthwiseConv2D passes no
// dilation (its TODO), SeparableConv2D passes its dilation rate. Anything routable() refuses runs tfjs's code.
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU } from './biasRelu';
import { routable, type ConvLayer } from './convLayer';

type Kernel = { read(): tf.Tensor };
type Layer = Pick<ConvLayer, 'rank' | 'activation' | 'bias' | 'dataFormat' | 'padding' | 'strides' | 'dilationRate'> & {
  depthwiseKernel: Kernel;
  pointwiseKernel?: Kernel;
};
type Call = (this: Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor;
type Conv = (layer: Layer, x: tf.Tensor4D) => tf.Tensor;

const depthwise: Conv = (l, x) => tf.depthwiseConv2d(x, l.depthwiseKernel.read() as tf.Tensor4D, l.strides as [number, number], l.padding as 'same');

const separable: Conv = (l, x) =>
  tf.separableConv2d(
    x,
    l.depthwiseKernel.read() as tf.Tensor4D,
    l.pointwiseKernel!.read() as tf.Tensor4D,
    l.strides as [number, number],
    l.padding as 'same',
    l.dilationRate as [number, number],
    'NHWC',
  );

function routed(original: Call, conv: Conv): Call {
  return function (inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if ((Array.isArray(inputs) && inputs.length !== 1) || !routable(this, x)) return original.call(this, inputs, kwargs);
    return tf.tidy(() => tf.engine().runKernel(BIAS_RELU, { x: conv(this, x as tf.Tensor4D), bias: this.bias!.read() }) as tf.Tensor);
  };
}

const patched = new WeakSet<Call>();

function patch(proto: { call: Call }, conv: Conv): void {
  if (patched.has(proto.call)) return;
  proto.call = routed(proto.call, conv);
  patched.add(proto.call);
}

/** Idempotent. */
export function routeDepthwiseLayers(): void {
  patch(Object.getPrototypeOf(tf.layers.depthwiseConv2d({ kernelSize: 1 })) as { call: Call }, depthwise);
  patch(Object.getPrototypeOf(tf.layers.separableConv2d({ filters: 1, kernelSize: 1 })) as { call: Call }, separable);
}
