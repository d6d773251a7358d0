// The mixed operation of DARTS: the softmax(alpha)-weighted sum of every candidate's output. Candidates that
// are `none` (zero) keep their share of the softmax but add nothing, as in the paper.
import * as tf from '@tensorflow/tfjs';

/** `outputs[k]` is candidate k's output, or null for the zero operation. All outputs share one shape. */
export function mixedOp(alpha: tf.Tensor1D, outputs: (tf.Tensor | null)[]): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.softmax(alpha);
    let sum: tf.Tensor | undefined;
    outputs.forEach((o, k) => {
      if (!o) return;
      const term = tf.mul(o, w.slice([k], [1]).reshape([]));
      sum = sum ? tf.add(sum, term) : term;
    });
    if (!sum) throw new Error('internal: a mixed operation needs at least one candidate that is not `none`');
    return sum;
  });
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
