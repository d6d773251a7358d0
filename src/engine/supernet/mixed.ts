// The mixed operation of DARTS: the softmax(alpha)-weighted sum of every candidate's output. Candidates that
// are `none` (zero) keep their share of the softmax but add nothing, as in the paper.
import * as tf from '@tensorflow/tfjs';
import { MIXED } from '../kernels/mixed';

/** `outputs[k]` is candidate k's output, or null for the zero operation. All outputs share one shape. */
export function mixedOp(alpha: tf.Tensor1D, outputs: (tf.Tensor | null)[]): tf.Tensor {
  return tf.tidy(() => weightedSum(mixingWeights(alpha), outputs));
}

/**
 * One edge's softmax(alpha), computed once per forward pass for an alpha that several cells share. `scalars`
 * (one per candidate) only where the fused kernel is missing: the plain ops multiply by them.
 */
export interface Mix {
  weights: tf.Tensor1D;
  scalars?: tf.Scalar[];
}

const fused = () => tf.getKernel(MIXED, tf.getBackend()) !== undefined;

export function mixingWeights(alpha: tf.Tensor1D): Mix {
  const weights = tf.softmax(alpha);
  return fused() ? { weights } : { weights, scalars: tf.unstack(weights) as tf.Scalar[] };
}

/**
 * The mixed operation with its weights already computed (mixingWeights). On backends with the fused kernel
 * (kernels/mixed.ts, wasm) one kernel each way; elsewhere a Multiply per candidate and one AddN.
 */
export function weightedSum(mix: Mix, outputs: (tf.Tensor | null)[]): tf.Tensor {
  const slots = outputs.flatMap((o, k) => (o ? [k] : []));
  if (!slots.length) throw new Error('internal: a mixed operation needs at least one candidate that is not `none`');
  const terms = slots.map((k) => outputs[k]!);
  if (!mix.scalars && terms.every((t) => t.dtype === 'float32')) {
    return tf.engine().runKernel(MIXED, [...terms, mix.weights] as unknown as tf.NamedTensorMap, { slots } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  const w = mix.scalars ?? (tf.unstack(mix.weights) as tf.Scalar[]);
  return tf.tidy(() => sumAll(slots.map((k) => tf.mul(outputs[k]!, w[k]))));
}

/** One AddN kernel instead of a chain of Adds: fewer kernels forward, and its gradient hands dy on unchanged. */
export function sumAll<T extends tf.Tensor>(terms: T[]): T {
  return terms.length === 1 ? terms[0] : (tf.addN(terms) as T);
}

/** Softmax of each alpha, as plain numbers (what the journal and the panel show). */
export function alphaWeights(alphas: tf.Variable[]): number[][] {
  return alphas.map((a) => {
    const w = tf.softmax(a as unknown as tf.Tensor1D);
    const out = Array.from(w.dataSync());
    w.dispose();
    return out;
  });
}
