// Multi-head self-attention as a tfjs layer (tfjs-layers has none). Queries, keys and values come from one
// fused projection of the input, `[steps, width] -> [steps, 3 x heads x keySize]`, as PyTorch's
// nn.MultiheadAttention stores them; the heads' outputs are concatenated and projected back to the width.
// It saves and loads in the standard layers-model format under the class name below.
import { one, oneShape, type Kwargs, type LayerArgs, type LayerVariable, type Shape, type Tensor, type Tf } from './tf';

import { ATTENTION_CLASS } from '../../shared/layers';
import { fusedSelfAttention, hasFusedAttention } from './attentionOp';

export { ATTENTION_CLASS };

export interface AttentionArgs extends LayerArgs {
  heads: number;
  keySize: number;
  /** Seeds the initial weights; not saved (a loaded model has its weights). */
  seed?: number;
}

export function defineAttention(tf: Tf) {
  class MultiHeadSelfAttention extends tf.layers.Layer {
    static className = ATTENTION_CLASS;
    readonly heads: number;
    readonly keySize: number;
    private readonly seed?: number;
    private qkvKernel?: LayerVariable;
    private qkvBias?: LayerVariable;
    private outKernel?: LayerVariable;
    private outBias?: LayerVariable;

    constructor(args: AttentionArgs) {
      super(args);
      this.heads = args.heads;
      this.keySize = args.keySize;
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      const width = oneShape(inputShape).at(-1);
      if (typeof width !== 'number') throw new Error(`${ATTENTION_CLASS} needs a known feature width, got shape [${oneShape(inputShape).join(', ')}]`);
      const hk = this.heads * this.keySize;
      const seed = this.seed;
      const glorot = (k: number) => tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed + k });
      this.qkvKernel = this.addWeight('qkv_kernel', [width, 3 * hk], 'float32', glorot(0));
      this.qkvBias = this.addWeight('qkv_bias', [3 * hk], 'float32', tf.initializers.zeros());
      this.outKernel = this.addWeight('output_kernel', [hk, width], 'float32', glorot(1));
      this.outBias = this.addWeight('output_bias', [width], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return oneShape(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = one(inputs);
        const [b, t, d] = x.shape;
        const h = this.heads;
        const k = this.keySize;
        const qkv = tf.add(tf.matMul(tf.reshape(x, [b * t, d]), this.qkvKernel!.read()), this.qkvBias!.read());
        const merged = hasFusedAttention(tf)
          ? tf.reshape(fusedSelfAttention(tf, tf.reshape(qkv, [b, t, 3 * h * k]), h, k), [b * t, h * k])
          : this.core(qkv, b, t);
        return tf.reshape(tf.add(tf.matMul(merged, this.outKernel!.read()), this.outBias!.read()), [b, t, d]);
      });
    }

    /** The same as the fused kernels, in tf ops: [b*t, 3hk] -> [b*t, hk]. */
    core(qkv: Tensor, b: number, t: number): Tensor {
      const h = this.heads;
      const k = this.keySize;
      // [b*t, h*k] -> [b*h, t, k]: one sequence of k-wide vectors per sample and head
      const heads = (m: Tensor) => tf.reshape(tf.transpose(tf.reshape(m, [b, t, h, k]), [0, 2, 1, 3]), [b * h, t, k]);
      const [q, key, v] = tf.split(qkv, 3, 1).map(heads);
      const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(k)), key, false, true);
      const mixed = tf.matMul(tf.softmax(scores), v);
      return tf.reshape(tf.transpose(tf.reshape(mixed, [b, h, t, k]), [0, 2, 1, 3]), [b * t, h * k]);
    }

    override getConfig() {
      return { ...super.getConfig(), heads: this.heads, keySize: this.keySize };
    }
  }
  return MultiHeadSelfAttention;
}
