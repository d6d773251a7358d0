// Every bias gradient is a Sum over all axes but the channels. wasm reduces only innermost axes, so it first
// transposes the whole gradient (a [128,28,28,32] one costs ~18 ms that way). Summing rows in place
// (simd/reduce.ts) reads it once.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { runOriginal } from './override';
import { addr, simd, zero } from './simd/module';

/** The number k when `axis` names exactly the first k axes (0 < k < rank), else 0. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = [
    ...new Set(
      tf.util.parseAxisParam(
        axis,
        [...Array(rank).keys()].map(() => 1),
      ),
    ),
  ].sort((p, q) => p - q);
  return axes.length < rank && axes.every((a, i) => a === i) ? axes.length : 0;
}

function sum(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  const { x } = args.inputs as unknown as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : 0;
  if (k === 0) return runOriginal(tf.Sum, args);
  const rows = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
  const width = x.shape.slice(k).reduce((p, q) => p * q, 1);
  const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  const out = backend.makeOutput(outShape, 'float32');
  zero(backend, out);
  simd(backend).sumRows(addr(backend, x), rows, width, addr(backend, out));
  return out;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as tf.KernelFunc,
};
