// Multi-head self-attention's core on wasm, forward and backward, as one kernel each: for every sample and head,
// S = Q K^T / sqrt(k), P = softmax(S), O = P V, on small SIMD GEMMs that read Q, K and V in place from the
// fused projection [B, T, 3hk] (strides, no split, reshape or transpose) and write each head's O into its
// columns of [B, T, hk]. The composite tfjs version spent ~19 ms of an 81 ms transformer step splitting qkv
// and ~11 ms in batched 28 x 28 products through transposes (bench --profile --net transformer).
// Gradient: dP = dO V^T, dS = P (dP - rowsum(dP P)) / sqrt(k), dQ = dS K, dK = dS^T Q, dV = P^T dO.
// The softmax and its gradient run in SIMD (attentionSimd.ts) when T is a multiple of 4, in JavaScript otherwise.
// With head widths of whole GEMM panels, the products whose B is a head's rows as they lie (P V, dS K, and with A
// transposed dS^T Q, P^T dO) read it in place (gemmS, gemmTS) instead of packing it first: at 28 x 16 a pack cost
// about as much as the product.
import * as tf from '@tensorflow/tfjs';
import type { Info } from '../common';
import { dispose } from '../common';
import { NR } from '../simd/gemm';
import { addr, heapF32, scratch, simd } from '../simd/module';
import { gemmRows, padFloats, padTo } from './gemmRows';
import { sequenceSimd } from './module';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL } from './names';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

interface Dims {
  B: number;
  T: number;
  h: number;
  k: number;
  /** bytes between rows of qkv */
  L: number;
  /** T rounded up to whole GEMM panels: the row length of the score scratch */
  Tp: number;
}

function dims(qkv: Info, attrs: unknown): Dims {
  const { heads: h, keySize: k } = attrs as { heads: number; keySize: number };
  const [B, T, w] = qkv.shape;
  if (w !== 3 * h * k) throw new Error(`${ATTENTION_KERNEL}: qkv width ${w} is not 3 x ${h} heads x ${k}`);
  return { B, T, h, k, L: 3 * h * k * 4, Tp: padTo(T) };
}

function allocate(backend: tf.KernelBackend, floats: number[]) {
  const blocks = floats.map((n) => scratch(backend, Math.max(n, 1) * 4));
  return { ptrs: blocks.map((b) => b.ptr), free: () => blocks.forEach((b) => b.free()) };
}

function attention(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { qkv } = args.inputs as unknown as { qkv: Info };
  const { B, T, h, k, L, Tp } = dims(qkv, args.attrs);
  const hk = h * k;
  const out = backend.makeOutput([B, T, hk], 'float32');
  const probs = backend.makeOutput([B, h, T, T], 'float32');
  const s = allocate(backend, [k * Tp, T * padTo(k), T * Tp, padFloats(T, k)]);
  const [packK, packV, scores, pad] = s.ptrs;
  try {
    const g = simd(backend);
    const base = addr(backend, qkv);
    const [oa, pa] = [addr(backend, out), addr(backend, probs)];
    const sv = heapF32(backend, scores, T * Tp);
    const pv = heapF32(backend, pa, B * h * T * T);
    const scale = 1 / Math.sqrt(k);
    const seq = T % 4 === 0 ? sequenceSimd(backend) : undefined;
    const inPlace = k % NR === 0;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < h; j++) {
        const q = base + b * T * L + j * k * 4;
        const key = q + hk * 4;
        const v = q + 2 * hk * 4;
        // scores = Q . K^T, K^T packed straight from K's rows
        g.pack(key, 4, L, k, T, packK);
        g.gemm(q, L, packK, scores, Tp * 4, T, T, k, 0);
        const p0 = (b * h + j) * T * T;
        if (seq) seq.softmaxRows(scores, Tp * 4, pa + p0 * 4, T * 4, T, T, scale);
        else
          for (let r = 0; r < T; r++) {
            let max = -Infinity;
            for (let c = 0; c < T; c++) max = Math.max(max, sv[r * Tp + c]);
            let sum = 0;
            for (let c = 0; c < T; c++) {
              const e = Math.exp((sv[r * Tp + c] - max) * scale);
              pv[p0 + r * T + c] = e;
              sum += e;
            }
            const inv = 1 / sum;
            for (let c = 0; c < T; c++) pv[p0 + r * T + c] *= inv;
          }
        const o = oa + (b * T * hk + j * k) * 4;
        if (inPlace) g.gemmS(pa + p0 * 4, T * 4, v, o, hk * 4, T, k, T, 0, L);
        else {
          g.pack(v, L, 4, T, k, packV);
          gemmRows(backend, { a: pa + p0 * 4, lda: T * 4, packed: packV, c: o, ldc: hk * 4, m: T, n: k, k: T, accumulate: false }, pad);
        }
      }
    }
  } catch (err) {
    dispose(backend, out, probs);
    throw err;
  } finally {
    s.free();
  }
  return [out, probs];
}

function attentionGrad(args: Args): Info {
  const backend = args.backend as Backend;
  const { dy, qkv, probs } = args.inputs as unknown as { dy: Info; qkv: Info; probs: Info };
  const { B, T, h, k, L, Tp } = dims(qkv, args.attrs);
  const hk = h * k;
  const dqkv = backend.makeOutput(qkv.shape, 'float32');
  const s = allocate(backend, [k * Tp, T * padTo(k), T * Tp, padFloats(T, k)]);
  const [packT, packN, dS, pad] = s.ptrs;
  try {
    const g = simd(backend);
    const [base, da, pa, dya] = [qkv, dqkv, probs, dy].map((t) => addr(backend, t));
    const dv = heapF32(backend, dS, T * Tp);
    const pv = heapF32(backend, pa, B * h * T * T);
    const scale = 1 / Math.sqrt(k);
    const seq = T % 4 === 0 ? sequenceSimd(backend) : undefined;
    const inPlace = k % NR === 0;
    const sq = inPlace ? sequenceSimd(backend) : undefined;
    const into = (a: number, lda: number, packed: number, c: number, transposedA: boolean) =>
      gemmRows(backend, { a, lda, transposedA, packed, c, ldc: L, m: T, n: k, k: T, accumulate: false }, pad);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < h; j++) {
        const off = b * T * L + j * k * 4;
        const [q, key, v] = [0, 1, 2].map((i) => base + off + i * hk * 4);
        const [dq, dk, dvv] = [0, 1, 2].map((i) => da + off + i * hk * 4);
        const dO = dya + (b * T * hk + j * k) * 4;
        const p0 = (b * h + j) * T * T;
        // dP = dO . V^T
        g.pack(v, 4, L, k, T, packT);
        g.gemm(dO, hk * 4, packT, dS, Tp * 4, T, T, k, 0);
        if (seq) seq.softmaxGradRows(dS, Tp * 4, pa + p0 * 4, T * 4, T, T, scale);
        else
          for (let r = 0; r < T; r++) {
            let dot = 0;
            for (let c = 0; c < T; c++) dot += dv[r * Tp + c] * pv[p0 + r * T + c];
            for (let c = 0; c < T; c++) dv[r * Tp + c] = pv[p0 + r * T + c] * (dv[r * Tp + c] - dot) * scale;
          }
        if (inPlace) g.gemmS(dS, Tp * 4, key, dq, L, T, k, T, 0, L);
        else {
          g.pack(key, L, 4, T, k, packN);
          into(dS, Tp * 4, packN, dq, false);
        }
        if (inPlace) {
          sq!.gemmTS(dS, Tp * 4, q, dk, L, T, k, T, 0, L);
          sq!.gemmTS(pa + p0 * 4, T * 4, dO, dvv, L, T, k, T, 0, hk * 4);
        } else {
          g.pack(q, L, 4, T, k, packN);
          into(dS, Tp * 4, packN, dk, true);
          g.pack(dO, hk * 4, 4, T, k, packN);
          into(pa + p0 * 4, T * 4, packN, dvv, true);
        }
      }
    }
  } catch (err) {
    dispose(backend, dqkv);
    throw err;
  } finally {
    s.free();
  }
  return dqkv;
}

export const attentionConfig: tf.KernelConfig = { kernelName: ATTENTION_KERNEL, backendName: 'wasm', kernelFunc: attention as unknown as tf.KernelFunc };
export const attentionGradConfig: tf.KernelConfig = {
  kernelName: ATTENTION_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: attentionGrad as unknown as tf.KernelFunc,
};
