// Adam's update as one kernel per variable. tfjs's AdamOptimizer.applyGradients runs ten elementwise kernels over
// every variable each step (mul, add, square, div, sqrt...), each a pass over memory and a tensor allocation; on
// a 3136x128 dense kernel that is ~3 ms a step on wasm. Patched on the optimizer class (so every Adam, whoever
// made it, is fused) and only on a backend that registers the kernel; elsewhere tfjs's own code runs. The
// optimizer's state (its moment variables, accBeta1/2, the iteration count) is kept exactly as tfjs keeps it,
// so getWeights/setWeights and checkpoints are unchanged.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { fused } from './simd/fused';
import { addr } from './simd/module';

export const ADAM_UPDATE = 'NasAdamUpdate';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

/** [value', m', v'] from value, grad, m, v; the arithmetic is simd/adam.ts's. */
function adamUpdate(args: Parameters<tf.KernelFunc>[0]): Info[] {
  const backend = args.backend as Backend;
  const { value, grad, m, v } = args.inputs as unknown as Record<string, Info>;
  const a = args.attrs as unknown as Record<'beta1' | 'beta2' | 'correction1' | 'correction2' | 'learningRate' | 'epsilon', number>;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const n = value.shape.reduce((p, q) => p * q, 1);
  fused(backend).adam(
    ...[value, grad, m, v].map((t) => addr(backend, t)),
    n,
    ...outs.map((t) => addr(backend, t)),
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    a.correction1,
    a.correction2,
    -a.learningRate,
    a.epsilon,
  );
  return outs;
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamUpdate as unknown as tf.KernelFunc,
};

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}
type Apply = (this: AdamInternals, grads: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>) => void;

let original: Apply | undefined;

const fusedApply: Apply = function (grads) {
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) === undefined) return original!.call(this, grads);
  const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
  tf.tidy(() => {
    // tfjs computes these in float32 on the backend; reading the two scalars back is a memory read on wasm.
    const correction1 = tf.sub(1, this.accBeta1).dataSync()[0];
    const correction2 = tf.sub(1, this.accBeta2).dataSync()[0];
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      const moment = (list: AdamInternals['accumulatedFirstMoment'], suffix: string) =>
        (list[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
      const m = moment(this.accumulatedFirstMoment, 'm');
      const v = moment(this.accumulatedSecondMoment, 'v');
      const grad = Array.isArray(grads) ? grads[i].tensor : grads[name];
      if (grad == null) return;
      const attrs = { beta1: this.beta1, beta2: this.beta2, correction1, correction2, learningRate: this.learningRate, epsilon: this.epsilon };
      const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, { value, grad, m, v }, attrs) as tf.Tensor[];
      m.assign(newM);
      v.assign(newV);
      value.assign(newValue);
    });
    this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
    this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
  });
  this.incrementIterations();
};

/** Idempotent. */
export function routeAdam(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: Apply };
  if (proto.applyGradients === fusedApply) return;
  original = proto.applyGradients;
  proto.applyGradients = fusedApply;
}
