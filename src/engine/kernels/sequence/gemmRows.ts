// C (+)= A . B through our SIMD GEMM for any width N. The GEMM writes whole panels of NR columns, so a C whose
// width is not a multiple of NR (an LSTM's input width of 28, say) goes through a padded copy; its rows keep
// their own stride either way, which lets a recurrent step read and write one time step of a [B, T, W] tensor.
import type * as tf from '@tensorflow/tfjs';
import { NR } from '../simd/gemm';
import { heapF32, simd } from '../simd/module';

export const padTo = (n: number) => Math.ceil(n / NR) * NR;

export interface GemmRows {
  /** A's address; rows `lda` bytes apart, or with `transposedA`, A[m][k] at a + 4m + k*lda. */
  a: number;
  lda: number;
  transposedA?: boolean;
  /** B packed by `pack` for these K and N. */
  packed: number;
  c: number;
  /** Bytes between C's rows. */
  ldc: number;
  m: number;
  n: number;
  k: number;
  accumulate: boolean;
}

/** Floats of padding scratch `gemmRows` needs for an m x n product (0 when n fills whole panels). */
export function padFloats(m: number, n: number): number {
  return n % NR === 0 ? 0 : m * padTo(n);
}

/** `pad`: a scratch of at least padFloats(m, n) floats, allocated before any heap view the caller holds. */
export function gemmRows(backend: tf.KernelBackend, o: GemmRows, pad: number): void {
  const g = simd(backend);
  const run = o.transposedA ? g.gemmT : g.gemm;
  if (o.n % NR === 0) {
    run(o.a, o.lda, o.packed, o.c, o.ldc, o.m, o.n, o.k, o.accumulate ? 1 : 0);
    return;
  }
  const np = padTo(o.n);
  const tmp = heapF32(backend, pad, o.m * np);
  const rowsOf = (at: number) => (r: number) => heapF32(backend, at + r * o.ldc, o.n);
  const cRow = rowsOf(o.c);
  if (o.accumulate) for (let r = 0; r < o.m; r++) tmp.set(cRow(r), r * np);
  run(o.a, o.lda, o.packed, pad, np * 4, o.m, o.n, o.k, o.accumulate ? 1 : 0);
  for (let r = 0; r < o.m; r++) cRow(r).set(tmp.subarray(r * np, r * np + o.n));
}
