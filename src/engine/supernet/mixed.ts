// The mixed operation of DARTS: the softmax(alpha)-weighted sum of every candidate's output. Candidates that
// are `none` (zero) keep their share of the softmax but add nothing, as in the paper.
import * as tf from '@tensorflow/tfjs';

/** `outputs[k]` is candidate k's output, or null for the zero operation. All outputs share one shape. */
export function mixedOp(alpha: tf.Tensor1D, outputs: (tf.Tensor | null)[]): tf.Tensor {
  return tf.tidy(() => weightedSum(mixingWeights(alpha), outputs));
}

/**
 * softmax(alpha) as one scalar per candidate: computed once per forward pass for an alpha that several cells
 * share (a softmax, slice and reshape per candidate per cell were a fifth of a cell supernet step's kernels).
 */
export function mixingWeights(alpha: tf.Tensor1D): tf.Scalar[] {
  return tf.unstack(tf.softmax(alpha)) as tf.Scalar[];
}

/** The mixed operation with its weights already computed (mixingWeights). */
export function weightedSum(weights: tf.Scalar[], outputs: (tf.Tensor | null)[]): tf.Tensor {
  return tf.tidy(() => {
    const terms = outputs.flatMap((o, k) => (o ? [tf.mul(o, weights[k])] : []));
    if (!terms.length) throw new Error('internal: a mixed operation needs at least one candidate that is not `none`');
    return sumAll(terms);
  });
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
