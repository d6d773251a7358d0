// What the supernet trainer needs of a network: its weights and architecture parameters as separate
// variable lists (two optimizers), and a forward pass to the head's logits.
import type * as tf from '@tensorflow/tfjs';

export interface SupernetNet {
  /** Network weights: trained on the training split. */
  readonly weights: tf.Variable[];
  /** One alpha per mixed choice, in the space's order: trained on the validation split. */
  readonly alphas: tf.Variable[];
  /** Logits (classification) or predictions (regression), [batch, outputs]. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor;
  dispose(): void;
}
