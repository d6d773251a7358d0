// Window kernels walked tap by tap on wasm (simd/walk.ts) against the cpu backend: the average-pool gradient
// and the depthwise convolution gradients with depth multiplier 1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { avgPoolConfig } from '../../src/engine/kernels/pools';
import { avgPoolGradConfig } from '../../src/engine/kernels/training';
import { tapRanges } from '../../src/engine/kernels/taps';
import { compare, harness, kernelBackends } from '../helpers/kernels';

const h = harness(20261203);
/** dy for an output shape known only inside the function under test: the same values on both backends. */
const seeded = (shape: number[], lo = -1, hi = 1) => tf.tensor(harness(7).data(shape, lo, hi), shape);
type Shape4 = [number, number, number, number];

kernelBackends();

describe('tap ranges', () => {
  it('cover exactly the in-image taps of every window', () => {
    for (const [size, out, k, s, pad] of [
      [7, 4, 3, 2, 1],
      [5, 5, 3, 1, 1],
      [6, 2, 2, 3, 0],
      [4, 4, 5, 1, 2],
    ]) {
      const g = { inHeight: size, inWidth: 1, outHeight: out, outWidth: 1, filterHeight: k, filterWidth: 1, strideHeight: s, strideWidth: 1 };
      const ranges = tapRanges({ ...g, dilationHeight: 1, dilationWidth: 1, padTop: pad, padLeft: 0 });
      const seen = new Set<string>();
      for (const t of ranges) for (let o = t.oh0; o < t.oh1; o++) seen.add(`${o},${t.ih0 + (o - t.oh0) * s}`);
      const expected = new Set<string>();
      for (let o = 0; o < out; o++)
        for (let kh = 0; kh < k; kh++) if (o * s + kh - pad >= 0 && o * s + kh - pad < size) expected.add(`${o},${o * s + kh - pad}`);
      assert.deepEqual([...seen].sort(), [...expected].sort(), `size ${size} k ${k} s ${s} pad ${pad}`);
    }
  });
});

describe('average pooling on wasm', () => {
  it("replaces wasm's AvgPoolGrad and AvgPool", () => {
    assert.equal(tf.getKernel(tf.AvgPoolGrad, 'wasm')?.kernelFunc, avgPoolGradConfig.kernelFunc);
    assert.equal(tf.getKernel(tf.AvgPool, 'wasm')?.kernelFunc, avgPoolConfig.kernelFunc);
  });

  // Windows that never leave the image: cpu's gradient is the exact one, and ours must match it.
  const whole: Array<{ shape: Shape4; f: number; s: number; pad: 'same' | 'valid' }> = [
    { shape: [4, 28, 28, 32], f: 2, s: 2, pad: 'valid' }, // tiled: simd/pool2x2.ts, forward and gradient
    { shape: [2, 14, 10, 8], f: 2, s: 2, pad: 'same' }, // tiled
    { shape: [3, 7, 6, 8], f: 2, s: 2, pad: 'valid' }, // last row left out: not tiled
    { shape: [3, 14, 14, 7], f: 2, s: 2, pad: 'same' },
    { shape: [2, 9, 11, 5], f: 3, s: 2, pad: 'valid' },
    { shape: [2, 8, 8, 4], f: 3, s: 1, pad: 'valid' },
    { shape: [1, 6, 6, 1], f: 3, s: 3, pad: 'valid' },
  ];
  for (const { shape, f, s, pad } of whole) {
    const [xData] = [h.data(shape)];
    const label = `${shape.join('x')}, pool ${f}, stride ${s}, ${pad}`;
    it(`${label}: forward and gradient match cpu`, () =>
      compare(label, () => {
        const x = tf.tensor4d(xData, shape);
        const y = tf.avgPool(x, f, s, pad);
        const dy = seeded(y.shape);
        return [
          y,
          tf.grad((a: tf.Tensor) =>
            tf
              .avgPool(a as tf.Tensor4D, f, s, pad)
              .mul(dy)
              .sum(),
          )(x),
        ];
      }));
  }

  // 'same' windows cut by the border: the forward pass divides by the pixels inside, so must the gradient. The
  // reference is that forward pass written as a depthwise convolution of ones over a count map, differentiated
  // on cpu.
  const cut: Array<{ shape: Shape4; f: number; s: number }> = [
    { shape: [3, 28, 28, 16], f: 3, s: 1 }, // 3x3 stride 1 (a cell's avgPool3x3): simd/box3.ts, both ways
    { shape: [5, 16, 16, 16], f: 3, s: 1 },
    { shape: [2, 4, 4, 64], f: 3, s: 1 },
    { shape: [2, 1, 6, 8], f: 3, s: 1 }, // one row: every window has one
    { shape: [3, 2, 3, 4], f: 3, s: 1 },
    { shape: [2, 7, 9, 6], f: 3, s: 2 },
    { shape: [2, 5, 5, 3], f: 2, s: 1 },
  ];
  for (const { shape, f, s } of cut) {
    const xData = h.data(shape);
    const label = `${shape.join('x')}, pool ${f}, stride ${s}, same (windows cut by the border)`;
    it(`${label}: the derivative of the forward pass`, () =>
      compare(label, () => {
        const c = shape[3];
        const pool = (a: tf.Tensor) => {
          if (tf.getBackend() === 'wasm') return tf.avgPool(a as tf.Tensor4D, f, s, 'same');
          const ones = tf.ones([f, f, c, 1]) as tf.Tensor4D;
          const count = tf.depthwiseConv2d(tf.ones([1, shape[1], shape[2], shape[3]]) as tf.Tensor4D, ones, s, 'same');
          return tf.depthwiseConv2d(a as tf.Tensor4D, ones, s, 'same').div(count);
        };
        const x = tf.tensor4d(xData, shape);
        const y = pool(x);
        const dy = seeded(y.shape, 0, 1);
        return [y, tf.grad((a: tf.Tensor) => pool(a).mul(dy).sum())(x)];
      }));
  }
});

describe('depthwise convolution with multiplier 1 (register kernels, tap walk) matches cpu, forward and gradients', () => {
  const cases: Array<{ shape: Shape4; k: [number, number]; s: number; pad: 'same' | 'valid'; d?: number }> = [
    { shape: [16, 14, 14, 32], k: [3, 3], s: 1, pad: 'same' },
    { shape: [8, 14, 14, 64], k: [3, 3], s: 2, pad: 'same' },
    // More images than the filter gradient sums in one float32 group (4096 output pixels): two groups.
    { shape: [48, 10, 10, 8], k: [3, 3], s: 1, pad: 'valid' },
    // Padded images larger than the filter gradient pads at a time (256 KB): groups of 5 images in slices of 2, 2, 1.
    { shape: [12, 28, 28, 32], k: [3, 3], s: 1, pad: 'same' },
    { shape: [12, 28, 28, 32], k: [3, 3], s: 2, pad: 'same' },
    { shape: [3, 9, 11, 12], k: [2, 2], s: 1, pad: 'same' },
    { shape: [2, 9, 10, 8], k: [1, 3], s: 2, pad: 'valid' },
    // Strided input gradients phase by phase: stride 3 (phases of 1 tap), 2x2 stride 2 (one tap per phase).
    { shape: [2, 11, 13, 8], k: [3, 3], s: 3, pad: 'same' },
    { shape: [3, 10, 9, 4], k: [2, 2], s: 2, pad: 'valid' },
    { shape: [2, 7, 8, 12], k: [3, 2], s: 2, pad: 'same' },
    { shape: [2, 11, 9, 4], k: [3, 3], s: 1, pad: 'same', d: 2 },
    { shape: [3, 9, 10, 5], k: [5, 5], s: 2, pad: 'valid' },
    { shape: [2, 9, 9, 8], k: [5, 5], s: 1, pad: 'same' },
    { shape: [4, 7, 7, 1], k: [3, 3], s: 1, pad: 'same' },
    { shape: [2, 12, 11, 6], k: [5, 5], s: 3, pad: 'same' },
  ];
  for (const { shape, k, s, pad, d = 1 } of cases) {
    const c = shape[3];
    const [xData, wData] = [h.data(shape), h.data([...k, c, 1])];
    const label = `x ${shape.join('x')}, filter ${k.join('x')}x${c}x1, stride ${s}, dilation ${d}, ${pad}`;
    it(label, () =>
      compare(label, () => {
        const [x, w] = [tf.tensor4d(xData, shape), tf.tensor4d(wData, [...k, c, 1])];
        const conv = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad, 'NHWC', d);
        const y = conv(x, w);
        // tfjs refuses the gradient of a dilated depthwise conv (kernels.test.ts calls our gradient kernels directly).
        if (d > 1) return [y];
        const dy = seeded(y.shape);
        return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(dy).sum())([x, w])];
      }),
    );
  }
});
