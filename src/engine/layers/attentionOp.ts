// The fused self-attention core (kernels/sequence/attention.ts) as an op with its gradient, for backends that
// register the kernels (the engine's wasm). attention.ts falls back to tf ops everywhere else, which includes
// the user's tfjs loading an exported model.
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL } from '../kernels/sequence/names';
import type { Tensor, Tf } from './tf';

export function hasFusedAttention(tf: Tf): boolean {
  return tf.getKernel(ATTENTION_KERNEL, tf.getBackend()) !== undefined && tf.getKernel(ATTENTION_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/** qkv [B, T, 3 x heads x keySize] (queries, keys, values; head j at columns j*keySize of each) -> [B, T, heads x keySize]. */
export function fusedSelfAttention(tf: Tf, qkv: Tensor, heads: number, keySize: number): Tensor {
  const attrs = { heads, keySize };
  const op = tf.customGrad(((input: Tensor, save: (ts: Tensor[]) => void) => {
    const [out, probs] = tf.engine().runKernel(ATTENTION_KERNEL, { qkv: input }, attrs) as Tensor[];
    save([input, probs]);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.engine().runKernel(ATTENTION_GRAD_KERNEL, { dy, qkv: saved[0], probs: saved[1] }, attrs) as Tensor,
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return (op as unknown as (x: Tensor) => Tensor)(qkv);
}
