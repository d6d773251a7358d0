// Position information for attention, which is otherwise blind to order: a vector added to each step, either
// learned (one weight vector per position) or the fixed sines and cosines of "Attention Is All You Need".
import { one, oneShape, type Kwargs, type LayerArgs, type LayerVariable, type Shape, type Tensor, type Tf } from './tf';

import { POSITIONAL_CLASS } from '../../shared/layers';

export { POSITIONAL_CLASS };

export type PositionalKind = 'learned' | 'sinusoidal';

export interface PositionalArgs extends LayerArgs {
  kind: PositionalKind;
  seed?: number;
}

/** sin/cos of position / 10000^(2i/d), interleaved over the features, `steps x width` row-major. */
export function sinusoidTable(steps: number, width: number): Float32Array {
  const out = new Float32Array(steps * width);
  for (let p = 0; p < steps; p++) {
    for (let i = 0; i < width; i++) {
      const angle = p / Math.pow(10000, (2 * Math.floor(i / 2)) / width);
      out[p * width + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

export function definePositional(tf: Tf) {
  class PositionalEmbedding extends tf.layers.Layer {
    static className = POSITIONAL_CLASS;
    readonly kind: PositionalKind;
    private readonly seed?: number;
    private table?: LayerVariable;
    private fixed?: Float32Array;

    constructor(args: PositionalArgs) {
      super(args);
      if (args.kind !== 'learned' && args.kind !== 'sinusoidal') throw new Error(`${POSITIONAL_CLASS}: unknown kind ${String(args.kind)}`);
      this.kind = args.kind;
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      const s = oneShape(inputShape);
      const [steps, width] = s.slice(-2);
      if (s.length !== 3 || typeof steps !== 'number' || typeof width !== 'number') {
        throw new Error(`${POSITIONAL_CLASS} needs sequences of known length and width, got shape [${s.join(', ')}]`);
      }
      if (this.kind === 'learned') {
        const init = tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, ...(this.seed === undefined ? {} : { seed: this.seed }) });
        this.table = this.addWeight('embeddings', [steps, width], 'float32', init);
      } else this.fixed = sinusoidTable(steps, width);
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return oneShape(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = one(inputs);
        const [, steps, width] = x.shape;
        const table = this.table ? this.table.read() : tf.tensor2d(this.fixed!, [steps, width]);
        return tf.add(x, table);
      });
    }

    override getConfig() {
      return { ...super.getConfig(), kind: this.kind };
    }
  }
  return PositionalEmbedding;
}
