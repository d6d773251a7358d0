// Seeded initial values for supernet variables: the same seed gives the same supernet, so a test or a
// resumed search that starts over reproduces it.
import * as tf from '@tensorflow/tfjs';

/** Hands out per-variable seeds in creation order (splitmix-style, as the model builder does). */
export class Seeds {
  private index = 0;
  constructor(private readonly seed: number) {}

  next(): number {
    let z = (Math.imul(Math.trunc(this.seed) | 0, 0x9e3779b1) + Math.imul(++this.index, 0x85ebca6b)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (((z ^ (z >>> 16)) >>> 0) % 0x7ffffffe) + 1;
  }

  /** He-normal weights for ReLU layers (fan-in from every axis but the last). */
  he(shape: number[]): tf.Variable {
    return own(tf.tidy(() => tf.initializers.heNormal({ seed: this.next() }).apply(shape) as tf.Tensor));
  }

  /** DARTS starts alpha near zero (1e-3 x normal): every candidate begins with an equal share. */
  alpha(n: number): tf.Variable {
    return own(tf.randomNormal([n], 0, 1e-3, 'float32', this.next()));
  }

  zeros(shape: number[]): tf.Variable {
    return own(tf.zeros(shape));
  }
}

/** A variable holding `t`'s values; `t` itself is released (the variable keeps its own reference to the data). */
function own(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}
