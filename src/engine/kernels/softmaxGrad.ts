// Softmax's gradient as one kernel where tfjs runs Multiply, Sum, Multiply and Sub: every classification head
// ends in a softmax of [batch, classes], a few thousand floats, where the engine's per-op cost is all there is.
// One pass over the rows in JavaScript computes dx = y * dy - y * sum(y * dy), tfjs's formula. Routed like
// reluGrad.ts: our gradient where the backend has the kernel and the softmax runs along the last axis, tfjs's own
// elsewhere.
import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type Info } from './common';
import { addr, heapF32 } from './simd/module';

export const SOFTMAX_GRAD = 'NasSoftmaxGrad';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

function softmaxGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { dy, y } = args.inputs as unknown as { dy: Info; y: Info };
  const width = y.shape[y.shape.length - 1];
  const n = y.shape.reduce((a, b) => a * b, 1);
  const dx = backend.makeOutput(y.shape, 'float32');
  const [d, v, out] = [heapF32(backend, addr(backend, dy), n), heapF32(backend, addr(backend, y), n), heapF32(backend, addr(backend, dx), n)];
  for (let o = 0; o < n; o += width) {
    let s = 0;
    for (let j = o; j < o + width; j++) {
      // Rounded as tfjs's float32 Multiply rounds each product before the sum and the difference.
      const p = Math.fround(d[j] * v[j]);
      out[j] = p;
      s += p;
    }
    const total = Math.fround(s);
    for (let j = o; j < o + width; j++) out[j] -= total * v[j];
  }
  return dx;
}

export const softmaxGradConfig = wasmKernel(SOFTMAX_GRAD, softmaxGrad);

let tfjsSoftmaxGradient: tf.GradConfig | undefined;

const softmaxGradient: tf.GradConfig = {
  kernelName: tf.Softmax,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved;
    const dim = (attrs as unknown as tf.SoftmaxAttrs).dim;
    const fast =
      tf.getKernel(SOFTMAX_GRAD, tf.getBackend()) !== undefined &&
      (dim === -1 || dim === y.rank - 1) &&
      y.dtype === 'float32' &&
      !Array.isArray(dy) &&
      dy.dtype === 'float32';
    if (!fast) return tfjsSoftmaxGradient!.gradFunc(dy, saved, attrs);
    return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD, { dy: dy as tf.Tensor, y }) as tf.Tensor };
  },
};

/** Softmax's gradient through SOFTMAX_GRAD on backends that register it, tfjs's own everywhere else. Idempotent. */
export function routeSoftmaxGradient(): void {
  const current = tf.getGradient(tf.Softmax);
  if (current === undefined || current.gradFunc === softmaxGradient.gradFunc) return;
  tfjsSoftmaxGradient = current;
  tf.registerGradient(softmaxGradient);
}
