// wasm's BatchMatMul sends XNNPACK only operands that need no transposing; with transposeA or transposeB set
// (every dense layer's gradients) it runs a scalar C++ loop, ~5x slower. Here float32 products whose output
// rows fill whole GEMM panels (N % 8 == 0, as dense layers' widths usually do) run on our SIMD GEMM, which
// reads A^T in place and packs B^T straight from memory, so nothing is transposed first. The rest transpose
// their operands and take wasm's XNNPACK path.
import * as tf from '@tensorflow/tfjs';
import { dispose, transpose, type Info } from './common';
import { runOriginal } from './override';
import { NR } from './simd/gemm';
import { addr, scratch, simd } from './simd/module';

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
  if (n % NR !== 0 || m === 0 || k === 0 || !simple) {
    return !transposeA && !transposeB ? runOriginal(tf.BatchMatMul, args) : viaXnnpack(args, transposeA, transposeB);
  }
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const batch = Math.max(batchA, batchB);
  const outer = (ra >= rb ? a.shape : b.shape).slice(0, -2);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const packed = scratch(backend, k * n * 4);
  try {
    const g = simd(backend);
    for (let i = 0; i < batch; i++) {
      const aAt = addr(backend, a) + (batchA === 1 ? 0 : i * m * k * 4);
      const bAt = addr(backend, b) + (batchB === 1 ? 0 : i * k * n * 4);
      const cAt = addr(backend, out) + i * m * n * 4;
      if (i === 0 || batchB !== 1) g.pack(bAt, transposeB ? 4 : n * 4, transposeB ? k * 4 : 4, k, n, packed.ptr);
      if (transposeA) g.gemmT(aAt, m * 4, packed.ptr, cAt, n * 4, m, n, k, 0);
      else g.gemm(aAt, k * 4, packed.ptr, cAt, n * 4, m, n, k, 0);
    }
  } catch (err) {
    dispose(backend, out);
    throw err;
  } finally {
    packed.free();
  }
  return out;
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
