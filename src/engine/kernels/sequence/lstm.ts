// A whole LSTM sequence as one wasm kernel, forward and backward. tfjs-layers runs an LSTM step by step as ~15
// tf ops each (and as many again in the gradient); on a 28-step batch of 128 that was 270 ms of CPU per
// training step, 190 ms of it outside any kernel (bench --profile --net lstm). Here the input projection of all
// steps is one GEMM, each step one GEMM against the recurrent kernel plus one pass over the gates, and the
// backward pass the same in reverse with the weight gradients as one GEMM over all steps at the end. The input
// gradient is left to the caller (layers/fastLstm.ts), which computes it from dz only when it is asked for.
// Gates are in Keras's order (input, forget, cell, output) with the logistic sigmoid on the gates and tanh on
// the cell, as sequenceBuilder builds them; the layer (layers/fastLstm.ts) only comes here in that case.
import * as tf from '@tensorflow/tfjs';
import type { Info } from '../common';
import { dispose } from '../common';
import { addr, heapF32, scratch, simd, zero } from '../simd/module';
import { gemmRows, padFloats, padTo } from './gemmRows';
import { sequenceSimd } from './module';
import { LSTM_GRAD_KERNEL, LSTM_KERNEL } from './names';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
type Args = Parameters<tf.KernelFunc>[0];

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Steps of the batch per chunk of the weight-gradient product (see lstmGrad). */
const K_CHUNK = 256;

/** Float32Array views of h, c and tc (or dy, c, tc): take them after the last heap allocation. */
function views(backend: tf.KernelBackend, [a, b, c]: Info[], n: number) {
  const at = (t: Info) => heapF32(backend, addr(backend, t), n);
  return { h: at(a), c: at(b), tc: at(c) };
}

/** lstmGates.ts's forward gate pass for step t, in JavaScript: for widths that are not a multiple of four. */
function gatesJs(
  v: { z: Float32Array; bias: Float32Array; h: Float32Array; c: Float32Array; tc: Float32Array },
  t: number,
  B: number,
  T: number,
  U: number,
): void {
  const { z, bias, h, c, tc } = v;
  for (let b = 0; b < B; b++) {
    const zo = (b * T + t) * 4 * U;
    const ho = (b * T + t) * U;
    for (let u = 0; u < U; u++) {
      const i = sigmoid(z[zo + u] + bias[u]);
      const f = sigmoid(z[zo + U + u] + bias[U + u]);
      const cand = Math.tanh(z[zo + 2 * U + u] + bias[2 * U + u]);
      const o = sigmoid(z[zo + 3 * U + u] + bias[3 * U + u]);
      const cell = (t > 0 ? f * c[ho - U + u] : 0) + i * cand;
      const th = Math.tanh(cell);
      z[zo + u] = i;
      z[zo + U + u] = f;
      z[zo + 2 * U + u] = cand;
      z[zo + 3 * U + u] = o;
      c[ho + u] = cell;
      tc[ho + u] = th;
      h[ho + u] = o * th;
    }
  }
}

interface GradViews {
  z: Float32Array;
  dz: Float32Array;
  dh: Float32Array;
  dc: Float32Array;
  /** dy, under `views`'s first name */
  h: Float32Array;
  c: Float32Array;
  tc: Float32Array;
}

/** lstmGates.ts's gradient pass for step t, in JavaScript. */
function gatesGradJs(v: GradViews, t: number, B: number, T: number, U: number): void {
  const { z, dz, dh, dc, h: dy, c, tc } = v;
  for (let b = 0; b < B; b++) {
    const zo = (b * T + t) * 4 * U;
    const ho = (b * T + t) * U;
    const so = b * U;
    for (let u = 0; u < U; u++) {
      const i = z[zo + u];
      const f = z[zo + U + u];
      const cand = z[zo + 2 * U + u];
      const o = z[zo + 3 * U + u];
      const th = tc[ho + u];
      const dH = dh[so + u] + dy[ho + u];
      const dC = dc[so + u] + dH * o * (1 - th * th);
      const cPrev = t > 0 ? c[ho - U + u] : 0;
      dz[zo + u] = dC * cand * i * (1 - i);
      dz[zo + U + u] = dC * cPrev * f * (1 - f);
      dz[zo + 2 * U + u] = dC * i * (1 - cand * cand);
      dz[zo + 3 * U + u] = dH * th * o * (1 - o);
      dc[so + u] = dC * f;
    }
  }
}

/** Heap scratch blocks, all allocated before any view is taken (growing the heap detaches views). */
function scratches(backend: tf.KernelBackend, floats: number[]) {
  const blocks = floats.map((n) => scratch(backend, Math.max(n, 1) * 4));
  return { ptrs: blocks.map((b) => b.ptr), free: () => blocks.forEach((b) => b.free()) };
}

function lstm(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { x, kernel, recurrentKernel, bias } = args.inputs as unknown as Record<string, Info>;
  const [B, T, F] = x.shape;
  const U = recurrentKernel.shape[0];
  const G = 4 * U;
  const { last } = (args.attrs ?? {}) as { last?: boolean };
  const outs = [
    backend.makeOutput([B, T, U], 'float32'),
    backend.makeOutput([B, T, U], 'float32'),
    backend.makeOutput([B, T, U], 'float32'),
    backend.makeOutput([B, T, G], 'float32'),
  ];
  // With `last`, a fifth output: the last step's h [B, U], which a layer that returns only it takes instead of a
  // Slice (wasm's Slice copies the whole [B, T, U] input out of the heap first: ~4 ms a step of the bench's LSTM).
  if (last) outs.push(backend.makeOutput([B, U], 'float32'));
  const [h, c, tc, gates] = outs;
  const s = scratches(backend, [F * padTo(G), U * padTo(G), padFloats(B * T, G)]);
  const [packW, packR, pad] = s.ptrs;
  try {
    const g = simd(backend);
    const [za, ha] = [addr(backend, gates), addr(backend, h)];
    // Every step's input projection at once: gates = x . W (the bias is added in the gate pass).
    g.pack(addr(backend, kernel), G * 4, 4, F, G, packW);
    gemmRows(backend, { a: addr(backend, x), lda: F * 4, packed: packW, c: za, ldc: G * 4, m: B * T, n: G, k: F, accumulate: false }, pad);
    g.pack(addr(backend, recurrentKernel), G * 4, 4, U, G, packR);
    const seq = sequenceSimd(backend);
    const [ca, ta, biasAt] = [addr(backend, c), addr(backend, tc), addr(backend, bias)];
    const js = U % 4 === 0 ? undefined : { z: heapF32(backend, za, B * T * G), bias: heapF32(backend, biasAt, G), ...views(backend, [h, c, tc], B * T * U) };
    for (let t = 0; t < T; t++) {
      // Step t's rows of gates += h[t-1] . R: rows of both are one whole sequence apart.
      if (t > 0)
        gemmRows(
          backend,
          { a: ha + (t - 1) * U * 4, lda: T * U * 4, packed: packR, c: za + t * G * 4, ldc: T * G * 4, m: B, n: G, k: U, accumulate: true },
          pad,
        );
      if (js) gatesJs(js, t, B, T, U);
      else seq.lstmGates(za + t * G * 4, biasAt, ca + t * U * 4, ta + t * U * 4, ha + t * U * 4, B, U, T * G * 4, T * U * 4, t > 0 ? 1 : 0);
    }
    if (last) {
      const [hv, lv] = [heapF32(backend, ha, B * T * U), heapF32(backend, addr(backend, outs[4]), B * U)];
      for (let b = 0; b < B; b++) lv.set(hv.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
    }
  } catch (err) {
    dispose(backend, ...outs);
    throw err;
  } finally {
    s.free();
  }
  return outs;
}

function lstmGrad(args: Args): Info[] {
  const backend = args.backend as Backend;
  const { dy, x, recurrentKernel, h, c, tc, gates } = args.inputs as unknown as Record<string, Info>;
  const [B, T, F] = x.shape;
  const U = recurrentKernel.shape[0];
  const G = 4 * U;
  const outs = [
    backend.makeOutput([B, T, G], 'float32'),
    backend.makeOutput([F, G], 'float32'),
    backend.makeOutput([U, G], 'float32'),
    backend.makeOutput([G], 'float32'),
  ];
  // dz: the gradient of every step's gate pre-activations, an output so that dx = dz . W^T can be left to the
  // caller, which only needs it when x depends on trainable weights (not for a network's first layer).
  const [dzT, dW, dR, db] = outs;
  const dz = addr(backend, dzT);
  const I = F + U;
  const pads = Math.max(padFloats(B, U), padFloats(I, G));
  // dh, dc: the state gradients carried back a step; xh: each step's input and incoming h (zero at t = 0) side
  // by side, so that [dW; dR] = xh^T . dz is one product, which reads dz's packed panels once; dWR: that product.
  const s = scratches(backend, [B * U, B * U, B * T * I, G * padTo(U), B * T * padTo(G), I * G, pads]);
  const [dh, dc, xh, packRT, packDZ, dWR, pad] = s.ptrs;
  try {
    const g = simd(backend);
    heapF32(backend, dh, B * U).fill(0);
    heapF32(backend, dc, B * U).fill(0);
    // R^T straight from R by strides: R^T[k][n] = R[n][k].
    g.pack(addr(backend, recurrentKernel), 4, G * 4, G, U, packRT);
    const seq = sequenceSimd(backend);
    const [dya, ca, ta, za] = [dy, c, tc, gates].map((t) => addr(backend, t));
    const js =
      U % 4 === 0
        ? undefined
        : {
            z: heapF32(backend, za, B * T * G),
            dz: heapF32(backend, dz, B * T * G),
            dh: heapF32(backend, dh, B * U),
            dc: heapF32(backend, dc, B * U),
            ...views(backend, [dy, c, tc], B * T * U),
          };
    for (let t = T - 1; t >= 0; t--) {
      if (js) gatesGradJs(js, t, B, T, U);
      else
        seq.lstmGatesGrad(za + t * G * 4, ta + t * U * 4, ca + t * U * 4, dya + t * U * 4, dh, dc, dz + t * G * 4, B, U, T * G * 4, T * U * 4, t > 0 ? 1 : 0);
      // dh for step t-1 = dz[t] . R^T
      if (t > 0) gemmRows(backend, { a: dz + t * G * 4, lda: T * G * 4, packed: packRT, c: dh, ldc: U * 4, m: B, n: U, k: G, accumulate: false }, pad);
    }
    zero(backend, db);
    simd(backend).sumRows(dz, B * T, G, addr(backend, db));
    // [dW; dR] = xh^T . dz over every step, in chunks of K_CHUNK steps: a chunk's packed panels stay in L1
    // (one 3584-step pass ran at ~38 GFLOP/s, chunks at the GEMM's ~50).
    const xv = heapF32(backend, addr(backend, x), B * T * F);
    const hv = heapF32(backend, addr(backend, h), B * T * U);
    const xhv = heapF32(backend, xh, B * T * I);
    for (let r = 0; r < B * T; r++) {
      xhv.set(xv.subarray(r * F, r * F + F), r * I);
      if (r % T === 0) xhv.fill(0, r * I + F, r * I + I);
      else xhv.set(hv.subarray((r - 1) * U, r * U), r * I + F);
    }
    for (let k0 = 0; k0 < B * T; k0 += K_CHUNK) {
      const kc = Math.min(K_CHUNK, B * T - k0);
      const packed = packDZ + k0 * padTo(G) * 4;
      g.pack(dz + k0 * G * 4, G * 4, 4, kc, G, packed);
      gemmRows(backend, { a: xh + k0 * I * 4, lda: I * 4, transposedA: true, packed, c: dWR, ldc: G * 4, m: I, n: G, k: kc, accumulate: k0 > 0 }, pad);
    }
    const dwr = heapF32(backend, dWR, I * G);
    heapF32(backend, addr(backend, dW), F * G).set(dwr.subarray(0, F * G));
    heapF32(backend, addr(backend, dR), U * G).set(dwr.subarray(F * G));
  } catch (err) {
    dispose(backend, ...outs);
    throw err;
  } finally {
    s.free();
  }
  return outs;
}

export const lstmConfig: tf.KernelConfig = { kernelName: LSTM_KERNEL, backendName: 'wasm', kernelFunc: lstm as unknown as tf.KernelFunc };
export const lstmGradConfig: tf.KernelConfig = { kernelName: LSTM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: lstmGrad as unknown as tf.KernelFunc };
