// UnsortedSegmentSum for wasm, which tfjs 4.22 lacks: the gradient of Gather, so without it an embedding layer
// cannot train there ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). Rows of x are added
// into their segment's row of the output; ids outside [0, numSegments) are dropped, as TensorFlow does.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;

const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

function unsortedSegmentSum(args: Parameters<tf.KernelFunc>[0]): Info {
  const { x, segmentIds } = args.inputs as unknown as { x: Info; segmentIds: Info };
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  const backend = args.backend as unknown as BackendWasm;
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = size(rest);
  const n = size(segmentIds.shape);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  // Views after the last allocation: growing the heap detaches earlier ones.
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const to = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) o[to + j] += xs[from + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
