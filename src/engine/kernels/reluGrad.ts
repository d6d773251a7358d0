// ReLU's gradient as one SIMD pass (simd/relu.ts) where tfjs runs Step, Cast and Multiply: on the MobileNet-style
// suite net the Step kernels alone took ~1 ms of a ~32 ms step. Routed like mean.ts: our gradient where the
// backend has the kernel, tfjs's own elsewhere.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { fused } from './simd/fused';
import { addr } from './simd/module';

export const RELU_GRAD = 'NasReluGrad';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

function reluGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { dy, x } = args.inputs as unknown as { dy: Info; x: Info };
  const dx = backend.makeOutput(x.shape, 'float32');
  const size = x.shape.reduce((a, b) => a * b, 1);
  fused(backend).reluGrad(addr(backend, dy), addr(backend, x), 1, size, addr(backend, dx));
  return dx;
}

export const reluGradConfig: tf.KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as tf.KernelFunc };

let tfjsReluGradient: tf.GradConfig | undefined;

const reluGradient: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const fast = tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined && x.dtype === 'float32' && !Array.isArray(dy) && dy.dtype === 'float32';
    if (!fast) return tfjsReluGradient!.gradFunc(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor };
  },
};

/** Relu's gradient through RELU_GRAD on backends that register it, tfjs's own everywhere else. Idempotent. */
export function routeReluGradient(): void {
  const current = tf.getGradient(tf.Relu);
  if (current === undefined || current.gradFunc === reluGradient.gradFunc) return;
  tfjsReluGradient = current;
  tf.registerGradient(reluGradient);
}
