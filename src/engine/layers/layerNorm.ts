// tfjs's LayerNormalization, computed with broadcasting instead of tiling. tfjs tiles the statistics and
// gamma/beta to the input's shape before a batch norm, and the gradient of Tile is one Slice and one Add per
// repetition: 3,000 kernels a step for a [32, 24, 32] input, 90% of a transformer's training time on wasm.
// Same class name, configuration and weights, so a saved model loads as the standard layer anywhere. Where
// the backend has them (the engine's wasm), the fused kernels of layerNormOp.ts do the whole normalization.
import { fusedLayerNorm, hasFusedLayerNorm } from './layerNormOp';
import { one, type Kwargs, type Tensor, type Tf } from './tf';

export function defineLayerNorm(tf: Tf) {
  const Base = tf.layers.layerNormalization({}).constructor as typeof tf.layers.Layer;
  class BroadcastLayerNormalization extends Base {
    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      const self = this as unknown as { axis: number[]; epsilon: number; gamma: { read(): Tensor } | null; beta: { read(): Tensor } | null };
      return tf.tidy(() => {
        const x = one(inputs);
        const axis = self.axis;
        const last = axis.length === 1 && axis[0] === x.rank - 1;
        if (!last) return super.call(inputs, _kwargs) as Tensor;
        if (self.gamma && self.beta && x.dtype === 'float32' && hasFusedLayerNorm(tf))
          return fusedLayerNorm(tf, x, self.gamma.read(), self.beta.read(), self.epsilon);
        const { mean, variance } = tf.moments(x, axis, true);
        let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, self.epsilon)));
        if (self.gamma) y = tf.mul(y, self.gamma.read());
        if (self.beta) y = tf.add(y, self.beta.read());
        return y;
      });
    }
  }
  return BroadcastLayerNormalization;
}
