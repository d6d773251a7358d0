// wasm's BatchMatMul sends XNNPACK only operands that need no transposing; with transposeA or transposeB set
// (every dense layer's gradients) it runs a scalar C++ loop, ~5x slower. Here float32 products run on our SIMD
// GEMM, which reads A^T in place and packs B^T straight from memory, so nothing is transposed first; long K runs
// in chunks (K_CHUNK). Output rows that do not fill whole GEMM panels (N % 8 != 0: the 10 classes of every
// classification head) are computed into a scratch padded to whole panels and copied out: through XNNPACK, with
// a transposed copy of the operand first, the head's weight gradient [256,128]^T . [128,10] took ~0.2 ms of the
// MLP's step. Broadcasting beyond one side's batch transposes the operands and takes wasm's XNNPACK path.
import * as tf from '@tensorflow/tfjs';
import { dispose, transpose, type Info } from './common';
import { runOriginal } from './override';
import { NR } from './simd/gemm';
import { addr, heapF32, scratch, simd } from './simd/module';

/** The last two axes swapped, as a real copy in memory. */
function swapInner(backend: tf.KernelBackend, x: Info): Info {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(backend, x, perm);
}

function viaXnnpack(args: Parameters<tf.KernelFunc>[0], transposeA: boolean, transposeB: boolean): Info {
  const { a, b } = args.inputs as unknown as { a: Info; b: Info };
  const backend = args.backend as tf.KernelBackend;
  const at = transposeA ? swapInner(backend, a) : a;
  const bt = transposeB ? swapInner(backend, b) : b;
  try {
    return runOriginal(tf.BatchMatMul, { ...args, inputs: { a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
  } finally {
    if (at !== a) dispose(backend, at);
    if (bt !== b) dispose(backend, bt);
  }
}

/**
 * Rows of B per GEMM call: products over a long K (a weight gradient sums over every token of the batch, K = B*T =
 * 3584 in the transformer) packed whole put B out of L2 for each row block of A and ran at 25-37 GFLOP/s; in chunks
 * of 128 rows, accumulating into C, they run at 43-45 (dW of [3584,64]^T . [3584,128]: 1.55-1.85 -> 1.33-1.41 ms).
 * 256 and 512 measured between the two.
 */
export const K_CHUNK = 128;

const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

function batchMatMul(args: Parameters<tf.KernelFunc>[0]): Info {
  const { a, b } = args.inputs as unknown as { a: Info; b: Info };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runOriginal(tf.BatchMatMul, args);
  const [ra, rb] = [a.shape.length, b.shape.length];
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const [batchA, batchB] = [size(a.shape.slice(0, -2)), size(b.shape.slice(0, -2))];
  // Our path: whole panels, and batch dims that are equal or absent on one side (no other broadcasting).
  const simple = ra === rb ? a.shape.slice(0, -2).every((d, i) => d === b.shape[i]) : batchA === 1 || batchB === 1;
  if (m === 0 || k === 0 || n === 0 || !simple) {
    return !transposeA && !transposeB ? runOriginal(tf.BatchMatMul, args) : viaXnnpack(args, transposeA, transposeB);
  }
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const batch = Math.max(batchA, batchB);
  const outer = (ra >= rb ? a.shape : b.shape).slice(0, -2);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Whole panels: pack zero-fills the columns past n, and the GEMM writes them into `padded` rows of np floats.
  const np = Math.ceil(n / NR) * NR;
  const packed = scratch(backend, k * np * 4);
  const padded = np === n ? undefined : scratch(backend, m * np * 4);
  try {
    const g = simd(backend);
    for (let i = 0; i < batch; i++) {
      const aAt = addr(backend, a) + (batchA === 1 ? 0 : i * m * k * 4);
      const bAt = addr(backend, b) + (batchB === 1 ? 0 : i * k * n * 4);
      const cAt = padded ? padded.ptr : addr(backend, out) + i * m * n * 4;
      const [strideK, strideN] = transposeB ? [4, k * 4] : [n * 4, 4];
      // Chunk j of B is packed at j * K_CHUNK * np floats, each chunk's panels K_CHUNK rows deep.
      if (i === 0 || batchB !== 1)
        for (let k0 = 0; k0 < k; k0 += K_CHUNK) g.pack(bAt + k0 * strideK, strideK, strideN, Math.min(K_CHUNK, k - k0), n, packed.ptr + k0 * np * 4);
      for (let k0 = 0; k0 < k; k0 += K_CHUNK) {
        const kc = Math.min(K_CHUNK, k - k0);
        const pb = packed.ptr + k0 * np * 4;
        if (transposeA) g.gemmT(aAt + k0 * m * 4, m * 4, pb, cAt, np * 4, m, np, kc, k0 > 0 ? 1 : 0);
        else g.gemm(aAt + k0 * 4, k * 4, pb, cAt, np * 4, m, np, kc, k0 > 0 ? 1 : 0);
      }
      if (padded) {
        const [src, dst] = [heapF32(backend, padded.ptr, m * np), heapF32(backend, addr(backend, out) + i * m * n * 4, m * n)];
        for (let r = 0; r < m; r++) dst.set(src.subarray(r * np, r * np + n), r * n);
      }
    }
  } catch (err) {
    dispose(backend, out);
    throw err;
  } finally {
    packed.free();
    padded?.free();
  }
  return out;
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
