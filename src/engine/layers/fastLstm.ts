// tfjs's LSTM, run as one fused kernel per sequence (kernels/sequence/lstm.ts) where the backend has one and
// the layer is the plain case the kernel computes: tanh cell, sigmoid gates, a bias, no dropout, mask, initial
// or kept state. Anything else, or a backend without the kernel, runs tfjs's own step-by-step call. Same class
// name, configuration and weights as the standard layer and not registered, so a saved model loads as a plain
// LSTM anywhere (as layerNorm.ts does for layer normalization).
import { LSTM_GRAD_KERNEL, LSTM_KERNEL } from '../kernels/sequence/names';
import { one, type Kwargs, type Tensor, type Tf } from './tf';

interface Cell {
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  kernel: { read(): Tensor };
  recurrentKernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
}

interface RnnFields {
  cell: Cell;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

/** The engine method tf.customGrad runs on (public in JavaScript, private in tfjs's typings). */
interface CustomKernelEngine {
  runKernelFunc(p: {
    inputs: Record<string, Tensor>;
    forwardFunc: (backend: unknown, save: (ts: Tensor[]) => void) => Tensor;
    backwardsFunc: (dy: Tensor, saved: Tensor[]) => Record<string, () => Tensor>;
  }): Tensor;
}

type Kernels = (x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor, last?: boolean) => Tensor;

/**
 * The whole-sequence op with its gradient: x [B, T, F] -> every step's h [B, T, U], or with `last` the last step's
 * h [B, U] (the kernel's own copy: no Slice, which on wasm reads the whole sequence out of the heap). Not tf.customGrad, whose
 * gradient function must return every input's gradient at once: the engine asks for each input's gradient
 * lazily and skips those no trainable weight depends on, as a network's input, so the input gradient
 * (dz . W^T, 103 MFLOP a step of the bench's LSTM) is computed only when asked for.
 */
export function lstmSequenceOp(tf: Tf): Kernels {
  const run = (name: string, inputs: Record<string, Tensor>, attrs = {}) => tf.engine().runKernel(name, inputs, attrs) as Tensor[];
  return (x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor, last = false) =>
    (tf.engine() as unknown as CustomKernelEngine).runKernelFunc({
      inputs: { x, kernel, recurrentKernel, bias },
      forwardFunc: (_backend: unknown, save: (ts: Tensor[]) => void) => {
        const [h, c, tc, gates, hLast] = run(LSTM_KERNEL, { x, kernel, recurrentKernel, bias }, { last });
        save([x, kernel, recurrentKernel, h, c, tc, gates]);
        // Only the output leaves: the others live on as saved tensors (the engine keeps them) and the forward's
        // tidy disposes these handles.
        return last ? hLast : h;
      },
      backwardsFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sk, sr, sh, sc, stc, sg] = saved;
        const [b, t, f] = sx.shape;
        // The last step's gradient, as the whole sequence's with zeros before it (what Slice's gradient made).
        if (last)
          dy = tf.pad(tf.reshape(dy, [b, 1, dy.shape[1] as number]), [
            [0, 0],
            [t - 1, 0],
            [0, 0],
          ]);
        const [dz, dW, dR, db] = run(LSTM_GRAD_KERNEL, { dy, x: sx, recurrentKernel: sr, h: sh, c: sc, tc: stc, gates: sg });
        return {
          x: () => tf.reshape(tf.matMul(tf.reshape(dz, [b * t, dz.shape[2] as number]), sk, false, true), [b, t, f]),
          kernel: () => dW,
          recurrentKernel: () => dR,
          bias: () => db,
        };
      },
    });
}

export function defineFastLstm(tf: Tf) {
  const Base = tf.layers.lstm({ units: 1 }).constructor as typeof tf.layers.Layer;
  const op = lstmSequenceOp(tf);
  class FusedLSTM extends Base {
    /** Whether this call can run the fused kernel (public for the tests, which check both paths agree). */
    fusable(x: Tensor, kwargs: Kwargs): boolean {
      const self = this as unknown as RnnFields;
      const cell = self.cell;
      const training = kwargs?.training === true;
      return (
        tf.getKernel(LSTM_KERNEL, tf.getBackend()) !== undefined &&
        x.rank === 3 &&
        x.dtype === 'float32' &&
        cell.activation.getClassName() === 'tanh' &&
        cell.recurrentActivation.getClassName() === 'sigmoid' &&
        cell.useBias &&
        cell.bias !== null &&
        (!training || (cell.dropout === 0 && cell.recurrentDropout === 0)) &&
        kwargs?.mask == null &&
        kwargs?.initialState == null &&
        !self.stateful &&
        !self.returnState
      );
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const x = one(inputs);
      if (!this.fusable(x, kwargs)) return super.call(inputs, kwargs);
      const self = this as unknown as RnnFields;
      return tf.tidy(() => {
        const cell = self.cell;
        // tfjs's RNN returns a backward layer's steps in the order it ran them (Bidirectional re-reverses).
        return op(self.goBackwards ? tf.reverse(x, 1) : x, cell.kernel.read(), cell.recurrentKernel.read(), cell.bias!.read(), !self.returnSequences);
      });
    }
  }
  return FusedLSTM;
}

const classes = new WeakMap<object, ReturnType<typeof defineFastLstm>>();

/** The engine's LSTM class for this tfjs instance. */
export function fastLstm(tf: Tf): ReturnType<typeof defineFastLstm> {
  let cls = classes.get(tf.serialization);
  if (!cls) classes.set(tf.serialization, (cls = defineFastLstm(tf)));
  return cls;
}
