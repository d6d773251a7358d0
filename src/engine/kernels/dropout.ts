// Dropout in training draws its mask with tf.randomUniform, which fills the tensor in JavaScript with tfjs's
// seedable generator (tens of nanoseconds a number) and then uploads it: on the MLP of the bench that was ~5 ms
// of a ~15 ms step. On a backend that registers DROPOUT_MASK, an unseeded Dropout layer draws the same mask (1/keep
// with probability keep, else 0, as tf.dropout makes it) with xoshiro128+ straight into the backend's memory.
// Seeded layers, noise shapes and other backends keep tfjs's code. Patched on the layer class for the reason
// batchNormLayer.ts gives. Whole groups of four floats are drawn in wasm SIMD (dropoutSimd.ts), a tail of up to
// three in JavaScript.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { sequenceSimd } from './sequence/module';
import { addr, heapF32, scratch } from './simd/module';

export const DROPOUT_MASK = 'NasDropoutMask';

type Backend = tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };

// xoshiro128+ (Blackman and Vigna), whose high bits are the ones it is meant for: we compare all 32 with a
// threshold. The state lives here, not in Math.random, so seeding Math.random alone does not replay the masks: a
// seeded training reseeds it through seedDropout (seededRandom.ts).
const state = new Uint32Array(4);
/** The four SIMD lanes' generators, word k of lane j at 4k + j; none all zero. */
const lanes = new Uint32Array(16);

/** Restarts every mask generator from `random` (uniform in [0, 1)): the same draws give the same masks after. */
export function seedDropout(random: () => number): void {
  // A zero word is replaced: xoshiro's state must not be all zeros, and nonzero words keep every lane clear of it.
  const word = () => (random() * 2 ** 32) >>> 0 || 1;
  for (let i = 0; i < state.length; i++) state[i] = word();
  for (let i = 0; i < lanes.length; i++) lanes[i] = word();
}

// Outside a seeded training the masks draw like the unseeded tf.dropout this replaces.
seedDropout(Math.random);

/** out[i] = 1/keep with probability keep, else 0. */
function fill(out: Float32Array, keep: number): void {
  const scale = 1 / keep;
  const threshold = keep * 2 ** 32;
  let [s0, s1, s2, s3] = state;
  for (let i = 0; i < out.length; i++) {
    const r = (s0 + s3) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = r < threshold ? scale : 0;
  }
  state.set([s0, s1, s2, s3]);
}

function dropoutMask(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as Backend;
  const { shape, rate } = args.attrs as unknown as { shape: number[]; rate: number };
  const mask = backend.makeOutput(shape, 'float32');
  const n = shape.reduce((a, b) => a * b, 1);
  const keep = 1 - rate;
  const whole = n - (n % 4);
  if (whole > 0) {
    const st = scratch(backend, 64);
    try {
      const words = () => {
        const v = heapF32(backend, st.ptr, 16);
        return new Uint32Array(v.buffer, v.byteOffset, 16);
      };
      words().set(lanes);
      // The threshold as an unsigned 32-bit integer: draw < keep * 2^32 exactly when draw < ceil(keep * 2^32).
      const threshold = Math.min(2 ** 32 - 1, Math.ceil(keep * 2 ** 32)) | 0;
      sequenceSimd(backend).dropoutMask(addr(backend, mask), whole, st.ptr, threshold, 1 / keep);
      lanes.set(words());
    } finally {
      st.free();
    }
  }
  fill(heapF32(backend, addr(backend, mask) + whole * 4, n - whole), keep);
  return mask;
}

export const dropoutMaskConfig: tf.KernelConfig = { kernelName: DROPOUT_MASK, backendName: 'wasm', kernelFunc: dropoutMask as tf.KernelFunc };

interface DropoutLayer {
  rate: number;
  noiseShape?: unknown;
  seed?: number;
}
type Call = (this: DropoutLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor | tf.Tensor[];

let original: Call | undefined;

const fastCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const fast =
    kwargs?.training &&
    this.rate > 0 &&
    this.rate < 1 &&
    this.noiseShape == null &&
    this.seed == null &&
    (!Array.isArray(inputs) || inputs.length === 1) &&
    x.dtype === 'float32' &&
    tf.getKernel(DROPOUT_MASK, tf.getBackend()) !== undefined;
  if (!fast) return original!.call(this, inputs, kwargs);
  (this as { invokeCallHook?(i: unknown, k: unknown): void }).invokeCallHook?.(inputs, kwargs);
  return tf.tidy(() => tf.mul(x, tf.engine().runKernel(DROPOUT_MASK, {}, { shape: x.shape, rate: this.rate }) as tf.Tensor));
};

/** Idempotent. */
export function routeDropoutLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })) as { call: Call };
  if (proto.call === fastCall) return;
  original = proto.call;
  proto.call = fastCall;
}
