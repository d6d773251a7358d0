// Bias and ReLU after a convolution, fused. In training tfjs runs a ReLU conv layer unfused: Conv2D, then Add of
// the bias, then Relu; the backward pass runs Step and Multiply for the ReLU and a Sum for the bias: five passes
// over the layer's output. On the reference CNN those were ~6.8 ms of a ~65 ms step. Here one SIMD pass makes
// relu(z + b), and one makes both gradients (dz and the bias's column sums) from dy and the saved output.
// convLayer.ts routes tfjs's Conv2D layer to it on backends that register it (wasm).
import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type Info } from './common';
import { fused } from './simd/fused';
import { addr, scratch, zero } from './simd/module';

export const BIAS_RELU = 'NasBiasRelu';
export const BIAS_RELU_GRAD = 'NasBiasReluGrad';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

/** [rows, width] of a channels-last tensor whose last axis the bias runs along. */
function rowsOf(x: Info): [number, number] {
  const width = x.shape[x.shape.length - 1];
  return [x.shape.reduce((a, b) => a * b, 1) / width, width];
}

function biasRelu(args: Args): Info {
  const backend = args.backend as Backend;
  const { x, bias } = args.inputs as unknown as { x: Info; bias: Info };
  const y = backend.makeOutput(x.shape, 'float32');
  const [rows, width] = rowsOf(x);
  fused(backend).biasRelu(addr(backend, x), rows, width, addr(backend, bias), addr(backend, y));
  return y;
}

/** [dz, dbias] from dy and y = relu(z + bias). */
function biasReluGrad(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { dy, y } = args.inputs as unknown as { dy: Info; y: Info };
  const [rows, width] = rowsOf(y);
  const dz = backend.makeOutput(y.shape, 'float32');
  const dbias = backend.makeOutput([width], 'float32');
  zero(backend, dbias);
  const acc = scratch(backend, 4 * width);
  try {
    fused(backend).biasReluGrad(addr(backend, dy), addr(backend, y), addr(backend, dz), rows, width, addr(backend, dbias), acc.ptr);
  } finally {
    acc.free();
  }
  return [dz, dbias];
}

export const biasReluConfig = wasmKernel(BIAS_RELU, biasRelu);

export const biasReluGradConfig = wasmKernel(BIAS_RELU_GRAD, biasReluGrad);

export const biasReluGradient: tf.GradConfig = {
  kernelName: BIAS_RELU,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    // One kernel makes both gradients, so it runs here rather than in one input's function (batchNorm.ts says why).
    const [dz, dbias] = tf.engine().runKernel(BIAS_RELU_GRAD, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor[];
    return { x: () => dz, bias: () => dbias };
  },
};
