// Convolutions on our own kernels against the cpu backend: every generated Winograd tile size called
// directly (forward and filter gradient, partial tiles, padding lanes, many blocks), and 5x5 / 7x7 / strided /
// pointwise convolutions through the registered kernels with both gradients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { WINOGRAD_TILES } from '../../src/engine/kernels/simd/winograd';
import { padded, planeStride, winogradConv, winogradFilterGrad, winogradTile } from '../../src/engine/kernels/winograd';
import { heapF32 } from '../../src/engine/kernels/simd/module';
import { convGeometry } from '../../src/engine/kernels/common';
import { spaceToDepthTile } from '../../src/engine/kernels/spaceToDepth';
import { winogradMatrices } from '../../src/engine/kernels/winogradMath';
import { compare, harness, kernelBackends } from '../helpers/kernels';

const h = harness(20261202);

kernelBackends();

describe('Winograd matrices', () => {
  for (const [m, r] of WINOGRAD_TILES) {
    it(`F(${m}, ${r}) computes an ${r}-tap correlation exactly in float64`, () => {
      const w = winogradMatrices(m, r);
      assert.equal(w.alpha, m + r - 1);
      for (let trial = 0; trial < 20; trial++) {
        const d = h.data([w.alpha]);
        const g = h.data([r]);
        const gg = w.G.map((row) => row.reduce((s, v, k) => s + v * g[k], 0));
        const bd = w.BT.map((row) => row.reduce((s, v, k) => s + v * d[k], 0));
        for (let i = 0; i < m; i++) {
          const y = w.AT[i].reduce((s, v, j) => s + v * gg[j] * bd[j], 0);
          let want = 0;
          for (let k = 0; k < r; k++) want += d[i + k] * g[k];
          assert.ok(Math.abs(y - want) < 1e-9, `output ${i}: ${y}, want ${want}`);
        }
      }
    });
  }
});

describe("the zero-bordered copy Winograd's input transform reads", () => {
  // Borders on every side, cropping (the buffer smaller than image + offset), offsets above and left of the
  // buffer (negative), an offset past the right edge (no source column lands), and channels not a multiple of 4.
  const cases: Array<[number[], number, number, number, number]> = [
    [[2, 5, 6, 4], 9, 10, 2, 1],
    [[1, 7, 7, 8], 8, 8, 2, 2],
    [[3, 4, 5, 3], 4, 5, 1, 1],
    [[2, 6, 5, 4], 4, 3, -1, -2],
    [[1, 3, 3, 4], 5, 4, 1, 6],
  ];
  for (const [shape, hp, wp, top, left] of cases) {
    it(`x ${shape.join('x')} into ${hp}x${wp} at (${top}, ${left})`, async () => {
      await tf.setBackend('wasm');
      const [n, hh, ww, c] = shape;
      const data = h.data(shape);
      const x = tf.tensor4d(data, shape as [number, number, number, number]);
      const backend = tf.backend() as Parameters<typeof padded>[0];
      const buf = padded(backend, x, hp, wp, top, left);
      try {
        const got = heapF32(backend, buf.ptr, n * hp * wp * c);
        for (let b = 0; b < n; b++)
          for (let y = 0; y < hp; y++)
            for (let z = 0; z < wp; z++)
              for (let k = 0; k < c; k++) {
                const [iy, iz] = [y - top, z - left];
                const want = iy >= 0 && iy < hh && iz >= 0 && iz < ww ? data[((b * hh + iy) * ww + iz) * c + k] : 0;
                assert.equal(got[((b * hp + y) * wp + z) * c + k], want, `[${b}, ${y}, ${z}, ${k}]`);
              }
      } finally {
        buf.free();
        x.dispose();
        await tf.setBackend('cpu');
      }
    });
  }
});

describe('Winograd plane stride', () => {
  it('covers the plane and is an odd number of cache lines, never a multiple of 4 KiB', () => {
    for (const [count, rowBytes] of [
      [16, 256],
      [16, 128],
      [17, 256],
      [85, 48],
      [1, 16],
      [64, 64],
    ]) {
      const stride = planeStride(count, rowBytes);
      assert.ok(stride >= count * rowBytes, `${count} x ${rowBytes}`);
      assert.equal(stride % 64, 0);
      assert.equal((stride / 64) % 2, 1, `${count} x ${rowBytes}: ${stride} bytes`);
    }
  });
});

describe('every Winograd tile size matches cpu, forward and filter gradient', () => {
  type Backend = Parameters<typeof winogradConv>[0];
  // Partial last tiles (odd sizes), co % 8 == 4 (a half-empty GEMM panel), valid convolutions, and batches with
  // more tiles than one block holds (blocks hold 85 to 341 tiles at 8 -> 12 channels; 16 to 64 at 64 -> 64, whose
  // planes are padded apart: planeStride).
  const shapes: Array<{ n: number; h: number; w: number; ci: number; co: number; pad: 'same' | 'valid' }> = [
    { n: 2, h: 9, w: 11, ci: 8, co: 12, pad: 'same' },
    { n: 1, h: 13, w: 10, ci: 12, co: 20, pad: 'valid' },
    { n: 24, h: 12, w: 12, ci: 8, co: 12, pad: 'same' },
    { n: 5, h: 7, w: 7, ci: 64, co: 64, pad: 'same' },
  ];
  for (const [m, r] of WINOGRAD_TILES) {
    for (const s of shapes) {
      const xShape: [number, number, number, number] = [s.n, s.h, s.w, s.ci];
      const fShape: [number, number, number, number] = [r, r, s.ci, s.co];
      const [xData, fData] = [h.data(xShape), h.data(fShape)];
      const label = `F(${m}x${m}, ${r}x${r}) on x ${xShape.join('x')} -> ${s.co} channels, ${s.pad}`;
      it(label, async () => {
        const top = s.pad === 'same' ? (r - 1) >> 1 : 0;
        const [outH, outW] = s.pad === 'same' ? [s.h, s.w] : [s.h - r + 1, s.w - r + 1];
        const dyData = h.data([s.n, outH, outW, s.co]);
        await compare(label, () => {
          const x = tf.tensor4d(xData, xShape);
          const f = tf.tensor4d(fData, fShape);
          const dy = tf.tensor4d(dyData, [s.n, outH, outW, s.co]);
          if (tf.getBackend() === 'cpu') {
            const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
              strides: 1,
              pad: s.pad,
              dataFormat: 'NHWC',
              filterShape: fShape,
            } as unknown as tf.NamedAttrMap) as tf.Tensor;
            return [tf.conv2d(x, f, 1, s.pad), dw];
          }
          const backend = tf.backend() as Backend;
          const engine = tf.engine();
          return [
            engine.makeTensorFromTensorInfo(winogradConv(backend, x, f, { top, left: top }, outH, outW, m)),
            engine.makeTensorFromTensorInfo(winogradFilterGrad(backend, x, dy, r, { top, left: top }, m)),
          ];
        });
      });
    }
  }
});

describe('convolutions through the kernels match cpu: output, input gradient and filter gradient', () => {
  type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
  // Explicit pads: 2 rows above and none below, 1 column left and 3 right.
  const PADS_2_1: Pad = [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ];
  // Winograd sizes (5x5, 7x7, stride 1, channels multiples of 4), and what falls back to the other paths:
  // strides, odd channel counts, pointwise filters, a network's first layer.
  const cases: Array<{ n: number; hw: [number, number]; k: number; ci: number; co: number; s: number; pad: Pad }> = [
    { n: 2, hw: [14, 14], k: 5, ci: 16, co: 32, s: 1, pad: 'same' },
    { n: 3, hw: [11, 9], k: 5, ci: 8, co: 12, s: 1, pad: 'valid' },
    { n: 2, hw: [10, 12], k: 7, ci: 16, co: 8, s: 1, pad: 'same' },
    {
      n: 1,
      hw: [9, 9],
      k: 5,
      ci: 12,
      co: 16,
      s: 1,
      pad: [
        [0, 0],
        [1, 3],
        [0, 2],
        [0, 0],
      ],
    },
    { n: 2, hw: [15, 14], k: 5, ci: 8, co: 16, s: 2, pad: 'same' },
    { n: 2, hw: [16, 16], k: 7, ci: 4, co: 8, s: 2, pad: 'same' },
    { n: 2, hw: [13, 13], k: 3, ci: 16, co: 32, s: 2, pad: 'valid' },
    // The strided input gradient's GEMM + scatter: more pixels than one chunk holds, channels not a multiple of
    // 4 (the scalar scatter), stride 3.
    { n: 4, hw: [16, 16], k: 3, ci: 32, co: 8, s: 2, pad: 'same' },
    { n: 3, hw: [11, 10], k: 3, ci: 6, co: 5, s: 3, pad: 'valid' },
    { n: 2, hw: [7, 7], k: 1, ci: 32, co: 64, s: 1, pad: 'same' },
    { n: 3, hw: [6, 5], k: 1, ci: 13, co: 7, s: 1, pad: 'valid' },
    { n: 2, hw: [12, 12], k: 5, ci: 7, co: 9, s: 1, pad: 'same' },
    // Forward on im2colRows + GEMM (gemmConv.ts): pointwise straight on x, strided pointwise, channels off a
    // multiple of 4, more pixels than one patch chunk holds (224 rows of 3x3x32 taps), taps past both sides of
    // the image, explicit uneven pads.
    { n: 3, hw: [6, 5], k: 1, ci: 13, co: 16, s: 1, pad: 'valid' },
    { n: 2, hw: [9, 8], k: 1, ci: 8, co: 16, s: 2, pad: 'same' },
    // The pointwise filter gradient (x read transposed in place) over more pixels than one packed chunk of dy.
    { n: 6, hw: [28, 28], k: 1, ci: 8, co: 16, s: 1, pad: 'same' },
    { n: 2, hw: [9, 10], k: 3, ci: 6, co: 8, s: 1, pad: 'same' },
    { n: 8, hw: [14, 14], k: 3, ci: 32, co: 16, s: 2, pad: 'same' },
    // Stride-2 3x3 through space-to-depth and Winograd F(7x7, 2x2) (spaceToDepth.ts; forward and filter gradient):
    // conv7x7-strided's layer, 'same' padding before the image (odd size: top = left = 1), valid, and explicit pads
    // of 2 and 1 before it.
    { n: 2, hw: [14, 14], k: 3, ci: 32, co: 64, s: 2, pad: 'same' },
    { n: 2, hw: [13, 13], k: 3, ci: 32, co: 64, s: 2, pad: 'same' },
    { n: 1, hw: [15, 16], k: 3, ci: 32, co: 64, s: 2, pad: 'valid' },
    { n: 2, hw: [28, 28], k: 3, ci: 16, co: 32, s: 2, pad: 'same' }, // the cell's reduction: filter gradient only
    { n: 2, hw: [13, 12], k: 3, ci: 32, co: 64, s: 2, pad: PADS_2_1 },
    { n: 2, hw: [8, 8], k: 7, ci: 4, co: 8, s: 3, pad: 'same' },
    { n: 1, hw: [9, 9], k: 3, ci: 8, co: 8, s: 2, pad: PADS_2_1 },
    { n: 4, hw: [28, 28], k: 5, ci: 1, co: 32, s: 1, pad: 'same' },
    // First layers (fewer than 4 channels) on im2row's runs: one channel at stride 2 (even lanes of two vectors:
    // runs of 7-8 and of 14, 'same' padding on both sides or on the far side only), two channels at stride 1
    // (the same 8-byte step), several channels, valid.
    { n: 3, hw: [15, 13], k: 7, ci: 1, co: 16, s: 2, pad: 'same' },
    { n: 2, hw: [28, 28], k: 7, ci: 1, co: 32, s: 2, pad: 'same' },
    { n: 2, hw: [28, 27], k: 3, ci: 1, co: 32, s: 2, pad: 'same' },
    { n: 2, hw: [11, 14], k: 3, ci: 2, co: 8, s: 1, pad: 'same' },
    { n: 2, hw: [12, 11], k: 3, ci: 3, co: 8, s: 1, pad: 'same' },
    { n: 2, hw: [10, 9], k: 3, ci: 2, co: 8, s: 2, pad: 'valid' },
    { n: 1, hw: [3, 3], k: 3, ci: 8, co: 8, s: 1, pad: 'valid' },
  ];
  for (const { n, hw, k, ci, co, s, pad } of cases) {
    const xShape = [n, ...hw, ci] as [number, number, number, number];
    const fShape: [number, number, number, number] = [k, k, ci, co];
    const [xData, fData] = [h.data(xShape), h.data(fShape)];
    const label = `x ${xShape.join('x')}, filter ${fShape.join('x')}, stride ${s}, pad ${JSON.stringify(pad)}`;
    it(label, async () => {
      const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
      await tf.setBackend('cpu');
      const yShape = tf.tidy(() => conv(tf.zeros(xShape), tf.zeros(fShape)).shape);
      const dyData = h.data(yShape);
      await compare(label, () => {
        const x = tf.tensor4d(xData, xShape);
        const w = tf.tensor4d(fData, fShape);
        return [conv(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(tf.tensor(dyData, yShape)).sum())([x, w])];
      });
    });
  }
});

describe('stride-2 3x3 convolutions through space-to-depth', () => {
  const tile = (h: number, ci: number, co: number, pad: 'same' | 'valid' = 'same', pass: 'forward' | 'filter' = 'forward') =>
    spaceToDepthTile(convGeometry([2, h, h, ci], [3, 3, ci, co], 2, 1, pad, undefined, false), ci, co, pass);
  it("take F(7x7, 2x2) where it saves multiplications (conv7x7-strided's 14x14 32 -> 64, 13x13, 15x16 valid)", () => {
    assert.equal(tile(14, 32, 64), 7);
    assert.equal(tile(13, 32, 64), 7);
    assert.equal(tile(15, 32, 64, 'valid'), 7);
  });
  it('leave outputs that overhang the tile, few channels and channel counts off a multiple of 4 to the GEMM', () => {
    assert.equal(tile(8, 32, 64), undefined); // 4x4 of an 8x8 tile
    assert.equal(tile(28, 16, 32), undefined); // the cell's reduction forward: measured slower (2.72 -> 2.99 ms)
    assert.equal(tile(28, 16, 32, 'same', 'filter'), 7); // its filter gradient: faster (2.88 -> 2.38 ms)
    assert.equal(tile(14, 30, 64), undefined);
    assert.equal(tile(14, 32, 62), undefined);
  });
});

describe('Winograd tile choice', () => {
  it('takes the larger tiles where they fit the output and the smaller where they would mostly overhang', () => {
    assert.equal(winogradTile(3, 14, 14, 32, 64), 4);
    assert.equal(winogradTile(5, 14, 14, 32, 64), 4);
    assert.equal(winogradTile(3, 2, 2, 32, 64), 2);
  });
  it('has no tile for filter sizes it was not generated for', () => {
    assert.equal(winogradTile(9, 14, 14, 32, 64), undefined);
    assert.equal(winogradTile(4, 14, 14, 32, 64), undefined);
  });
});

describe('FusedConv2D through the kernels matches cpu', () => {
  const xShape: [number, number, number, number] = [2, 12, 12, 16];
  const fShape: [number, number, number, number] = [3, 3, 16, 24];
  const [xData, fData, bData] = [h.data(xShape), h.data(fShape), h.data([24])];
  // Linear without bias is what a cell network's ReLU-Conv-BN runs inside the tape (gradients included);
  // bias with ReLU is what validation runs; leaky ReLU is left to wasm's own kernel.
  for (const { bias, activation } of [
    { bias: false, activation: 'linear' },
    { bias: true, activation: 'linear' },
    { bias: true, activation: 'relu' },
    { bias: false, activation: 'relu' },
    { bias: true, activation: 'leakyrelu' },
  ] as const) {
    it(`3x3 16 -> 24, bias ${bias}, ${activation}, with both gradients when linear`, async () => {
      await compare(`fused ${bias} ${activation}`, () => {
        const x = tf.tensor4d(xData, xShape);
        const w = tf.tensor4d(fData, fShape);
        const b = bias ? tf.tensor1d(bData) : undefined;
        const conv = (a: tf.Tensor, f: tf.Tensor) =>
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation, leakyreluAlpha: 0.2 });
        const y = conv(x, w);
        if (activation !== 'linear') return [y];
        return [y, ...tf.grads((a: tf.Tensor, f: tf.Tensor) => conv(a, f).square().sum())([x, w])];
      });
    });
  }
  it('a first layer (one input channel, im2row and GEMM) with bias and ReLU', async () => {
    const [x1, w1, b1] = [h.data([2, 9, 10, 1]), h.data([5, 5, 1, 16]), h.data([16])];
    await compare('fused first layer', () => [
      tf.fused.conv2d({
        x: tf.tensor4d(x1, [2, 9, 10, 1]),
        filter: tf.tensor4d(w1, [5, 5, 1, 16]),
        strides: 1,
        pad: 'same',
        bias: tf.tensor1d(b1),
        activation: 'relu',
      }),
    ]);
  });
});
