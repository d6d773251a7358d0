// DARTS' mixed operation on wasm: y = sum_k w[slots[k]] x_k, with w the softmax of an edge's alpha (candidates
// that are `none` keep a slot in w but have no x). Inputs are [x_0, .., x_{K-1}, w]. At 8 channels a cell
// supernet step ran 360 Multiply, their Casts, Sums and an AddN per edge for this; here it is one kernel
// forward and two backward (simd/weightedSum.ts), the weight's only when alpha is being trained.
import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type Info } from './common';
import { addr, heapF32, scratch } from './simd/module';
import { MAX_TERMS, mixedKernels } from './simd/weightedSum';

export const MIXED = 'NasMixed';
const MIXED_DX = 'NasMixedDx';
const MIXED_DW = 'NasMixedDw';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

const sizeOf = (t: Info) => t.shape.reduce((a, b) => a * b, 1);

/** The weights the slots pick, read from the heap (take this after the last allocation: growth detaches it). */
function picked(backend: Backend, w: Info, slots: number[]): number[] {
  const all = heapF32(backend, addr(backend, w), sizeOf(w));
  return slots.map((s) => all[s]);
}

/** Runs `fn` over the terms MAX_TERMS at a time: `fn(first, count)`. */
function chunks(k: number, fn: (first: number, count: number) => void): void {
  for (let at = 0; at < k; at += MAX_TERMS) fn(at, Math.min(MAX_TERMS, k - at));
}

function mixed(args: Args): Info {
  const backend = args.backend as Backend;
  const inputs = args.inputs as unknown as Info[];
  const { slots } = args.attrs as unknown as { slots: number[] };
  const xs = inputs.slice(0, slots.length);
  const y = backend.makeOutput(xs[0].shape, 'float32');
  const ws = picked(backend, inputs[slots.length], slots);
  const n = sizeOf(y);
  chunks(xs.length, (at, c) =>
    mixedKernels(backend)[`mix${c}`](...xs.slice(at, at + c).map((x) => addr(backend, x)), ...ws.slice(at, at + c), n, addr(backend, y), at > 0 ? 1 : 0),
  );
  return y;
}

/** [dx_0, .., dx_{K-1}] from [dy, w]: dx_k = w[slots[k]] dy. */
function mixedDx(args: Args): Info[] {
  const backend = args.backend as Backend;
  const [dy, w] = args.inputs as unknown as Info[];
  const { slots } = args.attrs as unknown as { slots: number[] };
  const dx = slots.map(() => backend.makeOutput(dy.shape, 'float32'));
  const ws = picked(backend, w, slots);
  const n = sizeOf(dy);
  chunks(slots.length, (at, c) =>
    mixedKernels(backend)[`mixDx${c}`](addr(backend, dy), ...ws.slice(at, at + c), n, ...dx.slice(at, at + c).map((d) => addr(backend, d))),
  );
  return dx;
}

/** dw (the shape of w, zero at the slots without a candidate) from [dy, x_0, .., x_{K-1}]: dw[slots[k]] = sum(x_k dy). */
function mixedDw(args: Args): Info {
  const backend = args.backend as Backend;
  const [dy, ...xs] = args.inputs as unknown as Info[];
  const { slots, length } = args.attrs as unknown as { slots: number[]; length: number };
  const n = sizeOf(dy);
  // Rows of one vector: the column sums come back as four partial sums per term, added here in double precision.
  const width = n % 4 === 0 ? 4 : dy.shape[dy.shape.length - 1];
  const dw = backend.makeOutput([length], 'float32');
  const sums = scratch(backend, 4 * width * xs.length);
  try {
    heapF32(backend, sums.ptr, width * xs.length).fill(0);
    chunks(xs.length, (at, c) => {
      const outs = range(c).map((j) => sums.ptr + 4 * width * (at + j));
      const ptrs = xs.slice(at, at + c).map((x) => addr(backend, x));
      mixedKernels(backend)[`mixDw${c}`](addr(backend, dy), ...ptrs, n / width, width, ...outs);
    });
    const partial = heapF32(backend, sums.ptr, width * xs.length);
    const out = heapF32(backend, addr(backend, dw), length).fill(0);
    slots.forEach((s, k) => {
      let total = 0;
      for (let j = 0; j < width; j++) total += partial[k * width + j];
      out[s] = total;
    });
  } finally {
    sums.free();
  }
  return dw;
}

const range = (n: number) => [...Array(n).keys()];

export const mixedConfigs = [wasmKernel(MIXED, mixed), wasmKernel(MIXED_DX, mixedDx), wasmKernel(MIXED_DW, mixedDw)];

export const mixedGradient: tf.GradConfig = {
  kernelName: MIXED,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const { slots } = attrs as unknown as { slots: number[] };
    const w = saved[slots.length];
    // dx for every candidate in one pass, here and not in the per-input functions: each of those runs in a tidy
    // of its own that would dispose the others. The weight's pass runs only when the tape asks for it.
    const dx = tf.engine().runKernel(MIXED_DX, [dy as tf.Tensor, w] as unknown as tf.NamedTensorMap, { slots }) as tf.Tensor[];
    const grads: Record<string, () => tf.Tensor> = {};
    dx.forEach((d, k) => (grads[k] = () => d));
    grads[slots.length] = () =>
      tf.engine().runKernel(MIXED_DW, [dy as tf.Tensor, ...saved.slice(0, slots.length)] as unknown as tf.NamedTensorMap, {
        slots,
        length: w.shape[0],
      }) as tf.Tensor;
    return grads;
  },
};

let registered = false;

/** Registers the kernels on wasm and their gradient; idempotent. */
export function registerMixedKernels(): void {
  for (const config of mixedConfigs) if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  if (!registered) tf.registerGradient(mixedGradient);
  registered = true;
}
