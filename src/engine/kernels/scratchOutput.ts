// The frame of our GEMM-based kernels: a new output tensor, heap scratch (packed panels, patch chunks) taken as
// the kernel goes, all scratch freed when it ends, and the output freed too if it fails part way.
import type * as tf from '@tensorflow/tfjs';
import { dispose, type Info } from './common';
import { scratch } from './simd/module';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

/** A float32 output of `shape` written by `fill`; `alloc(bytes)` gives the byte address of new scratch. */
export function intoOutput(backend: Backend, shape: number[], fill: (out: Info, alloc: (bytes: number) => number) => void): Info {
  const out = backend.makeOutput(shape, 'float32');
  const bufs: Array<{ ptr: number; free(): void }> = [];
  try {
    fill(out, (bytes) => {
      const b = scratch(backend, bytes);
      bufs.push(b);
      return b.ptr;
    });
  } catch (err) {
    dispose(backend, out);
    throw err;
  } finally {
    for (const b of bufs) b.free();
  }
  return out;
}
