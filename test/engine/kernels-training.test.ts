// The wasm kernels replaced or added for training speed against the cpu backend, on seeded random shapes:
// MaxPoolGrad, Sum, BatchMatMul, Conv2DBackpropFilter on the SIMD GEMM, Winograd Conv2D and gradients,
// Identity/Cast sharing buffers, the dataset upload, and the GEMM itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createDataTensors } from '../../src/engine/data';
import { K_CHUNK } from '../../src/engine/kernels/batchMatMul';
import { batchMatMulConfig, castConfig, conv2DConfig, identityConfig, maxPoolConfig, maxPoolGradConfig, sumConfig } from '../../src/engine/kernels';
import { MR, NR } from '../../src/engine/kernels/simd/gemm';
import { addr, heapF32, scratch, simd } from '../../src/engine/kernels/simd/module';
import { compare, harness, kernelBackends, on } from '../helpers/kernels';

const h = harness(20261129);

kernelBackends();

describe('registration', () => {
  it("replaces wasm's MaxPool, MaxPoolGrad, Sum, BatchMatMul, Conv2D, Identity and Cast", () => {
    for (const c of [maxPoolConfig, maxPoolGradConfig, sumConfig, batchMatMulConfig, conv2DConfig, identityConfig, castConfig])
      assert.equal(tf.getKernel(c.kernelName, 'wasm')?.kernelFunc, c.kernelFunc, c.kernelName);
  });
});

describe('MaxPool and MaxPoolGrad match cpu, ties included', () => {
  type Pad = 'same' | 'valid' | number;
  // `hw` fixes the input size: 2x2 stride-2 windows that tile it exactly take their own kernel (simd/pool2x2.ts).
  const cases: Array<{ f: [number, number]; s: [number, number]; pad: Pad; c: number; hw?: [number, number] }> = [
    { f: [2, 2], s: [2, 2], pad: 'valid', c: 32, hw: [28, 28] },
    { f: [2, 2], s: [2, 2], pad: 'same', c: 8, hw: [6, 10] },
    { f: [2, 2], s: [2, 2], pad: 'valid', c: 4, hw: [2, 4] },
    { f: [2, 2], s: [2, 2], pad: 'same', c: 8, hw: [7, 6] },
    { f: [2, 2], s: [2, 2], pad: 'valid', c: 8 },
    { f: [2, 2], s: [2, 2], pad: 'same', c: 5 },
    { f: [3, 3], s: [2, 2], pad: 'same', c: 4 },
    { f: [3, 3], s: [1, 1], pad: 'same', c: 7 },
    { f: [3, 2], s: [2, 1], pad: 'valid', c: 1 },
    { f: [2, 3], s: [3, 2], pad: 'valid', c: 12 },
    { f: [1, 1], s: [2, 2], pad: 'valid', c: 3 },
    { f: [3, 3], s: [2, 2], pad: 1, c: 6 },
    { f: [4, 4], s: [4, 4], pad: 'same', c: 9 },
  ];
  for (const { f, s, pad, c, hw } of cases) {
    for (const coarse of [false, true]) {
      const n = h.int(1, 3);
      const [ih, iw] = hw ?? [h.int(f[0], 11), h.int(f[1], 11)];
      const shape = [n, ih, iw, c];
      const xData = coarse ? h.coarse(shape) : h.data(shape);
      const label = `x ${shape.join('x')}, pool ${f.join('x')}, strides ${s}, pad ${pad}${coarse ? ', many ties' : ''}`;
      it(label, async () => {
        const y = await on('cpu', () => [tf.maxPool(tf.tensor4d(xData, shape as [number, number, number, number]), f, s, pad as 'same')]);
        const dyData = h.data(y[0].shape);
        await compare(
          label,
          () => {
            const x = tf.tensor4d(xData, shape as [number, number, number, number]);
            return [
              tf.maxPool(x, f, s, pad as 'same'),
              tf.grad((a: tf.Tensor) =>
                tf
                  .maxPool(a as tf.Tensor4D, f, s, pad as 'same')
                  .mul(tf.tensor(dyData, y[0].shape))
                  .sum(),
              )(x),
            ];
            // Exact where windows do not overlap; where they do, the cpu adds in double precision and we in
            // float32, so sums may differ in the last bit. A gradient sent to the wrong pixel is off by ~1.
          },
          s[0] >= f[0] && s[1] >= f[1] ? 0 : 1e-6,
        );
      });
    }
  }

  for (const c of [5, 8]) {
    it(`windows of only -Infinity or NaN pass nothing on, as on cpu (${c} channels)`, () => infinityAndNaN(c));
  }

  async function infinityAndNaN(c: number): Promise<void> {
    const shape: [number, number, number, number] = [1, 4, 4, c];
    const xData = h.data(shape);
    // Window (0,0) all -Infinity in channel 0, all NaN in channel 1, NaN then a value in channel 2.
    for (const [r, col] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      xData[(r * 4 + col) * c] = -Infinity;
      xData[(r * 4 + col) * c + 1] = NaN;
    }
    xData[2] = NaN;
    const dyData = h.data([1, 2, 2, c]);
    await compare(
      '-Infinity and NaN windows',
      () => [
        // Windows of only -Infinity or NaN pool to -Infinity on our kernel (whole vectors of channels; with 5,
        // wasm's own pools NaN its own way, as before).
        ...(c % 4 === 0 ? [tf.maxPool(tf.tensor4d(xData, shape), 2, 2, 'valid')] : []),
        tf.engine().runKernel(tf.MaxPoolGrad, { dy: tf.tensor4d(dyData, [1, 2, 2, c]), input: tf.tensor4d(xData, shape), output: tf.zeros([1, 2, 2, c]) }, {
          filterSize: 2,
          strides: 2,
          pad: 'valid',
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
      0,
    );
  }
});

describe('Sum matches cpu', () => {
  const cases: Array<{ shape: number[]; axis: number[]; keepDims?: boolean }> = [
    { shape: [128, 28, 28, 32], axis: [0, 1, 2] },
    { shape: [7, 5, 3, 6], axis: [0, 1, 2] },
    { shape: [9, 13], axis: [0] },
    { shape: [3, 4, 10], axis: [0, 1], keepDims: true },
    { shape: [70, 2, 3], axis: [0] },
    { shape: [4, 6, 5], axis: [1, 2] },
    { shape: [4, 6, 5], axis: [0, 2] },
    { shape: [4, 6, 5], axis: [0, 1, 2] },
    { shape: [257, 4], axis: [-2] },
  ];
  for (const { shape, axis, keepDims } of cases) {
    const xData = h.data(shape);
    const label = `sum of ${shape.join('x')} over ${axis}${keepDims ? ', keepDims' : ''}`;
    it(label, () => compare(label, () => [tf.sum(tf.tensor(xData, shape), axis, keepDims)]));
  }
  it("int32 goes to wasm's own kernel", () =>
    compare('int32', () => [
      tf
        .sum(
          tf.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          0,
        )
        .toFloat(),
    ]));
});

describe('BatchMatMul matches cpu with transposed operands', () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    for (const batch of [[], [3], [2, 2]]) {
      // Widths that fill whole GEMM panels and widths that do not (computed padded to whole panels, copied out).
      const [m, k, n] = [h.int(1, 19), h.int(1, 23), batch.length === 1 ? h.int(1, 17) : 8 * h.int(1, 3)];
      const aShape = [...batch, ...(ta ? [k, m] : [m, k])];
      const bShape = [...batch, ...(tb ? [n, k] : [k, n])];
      const [aData, bData] = [h.data(aShape), h.data(bShape)];
      const label = `${aShape.join('x')}${ta ? '^T' : ''} . ${bShape.join('x')}${tb ? '^T' : ''}`;
      it(label, () => compare(label, () => [tf.matMul(tf.tensor(aData, aShape), tf.tensor(bData, bShape), ta, tb)]));
    }
  }
  it('sums a K longer than one chunk (K_CHUNK) in several, transposed or not', () => {
    // K = 2.5 chunks: two whole ones and a partial, accumulated into C; a batch with B shared and one without.
    const k = Math.round(K_CHUNK * 2.5);
    const [a1, b1, a2, b2, b3] = [h.data([k, 9]), h.data([k, 16]), h.data([2, 5, k]), h.data([24, k]), h.data([2, k, 16])];
    return compare(
      'long K',
      () => [
        tf.matMul(tf.tensor(a1, [k, 9]), tf.tensor(b1, [k, 16]), true, false),
        // A classification head's weight gradient: 10 columns, padded to two panels, chunks added in the padding.
        tf.matMul(tf.tensor(a1, [k, 9]), tf.tensor(b1.subarray(0, k * 10), [k, 10]), true, false),
        tf.matMul(tf.tensor(a2, [2, 5, k]), tf.tensor(b3.subarray(0, 2 * k * 10), [2, k, 10])),
        tf.matMul(tf.tensor(a2, [2, 5, k]), tf.tensor(b2, [24, k]), false, true),
        tf.matMul(tf.tensor(a2, [2, 5, k]), tf.tensor(b3, [2, k, 16])),
      ],
      1e-3,
    );
  });
  it('broadcasts a rank-2 operand over a batch', () => {
    const [aData, bData] = [h.data([3, 5, 7]), h.data([7, 16])];
    return compare('broadcast', () => [
      tf.matMul(tf.tensor(aData, [3, 5, 7]), tf.tensor(bData, [7, 16])),
      tf.matMul(tf.tensor(bData, [7, 16]), tf.tensor(aData, [3, 5, 7]), true, true),
    ]);
  });
  it("a dense layer's gradients", () => {
    const [x, w, dy] = [h.data([16, 50]), h.data([50, 12]), h.data([16, 12])];
    return compare('dense grads', () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .matMul(a, b)
          .mul(tf.tensor(dy, [16, 12]))
          .sum(),
      )([tf.tensor(x, [16, 50]), tf.tensor(w, [50, 12])]),
    );
  });
});

describe('Conv2DBackpropFilter on the SIMD GEMM matches cpu', () => {
  // Channel counts that take the vector path (multiples of 4) and the scalar one, and inputs large enough to
  // need many K-chunks.
  const cases: Array<{ n: number; hw: [number, number]; k: [number, number]; ci: number; co: number; s: number; pad: 'same' | 'valid' }> = [
    { n: 2, hw: [14, 14], k: [3, 3], ci: 32, co: 16, s: 1, pad: 'same' },
    { n: 3, hw: [9, 11], k: [3, 3], ci: 8, co: 13, s: 2, pad: 'same' },
    { n: 2, hw: [48, 48], k: [3, 3], ci: 1, co: 8, s: 1, pad: 'same' },
    { n: 1, hw: [10, 7], k: [5, 5], ci: 12, co: 9, s: 2, pad: 'valid' },
    { n: 2, hw: [6, 6], k: [1, 1], ci: 6, co: 3, s: 1, pad: 'valid' },
    { n: 1, hw: [40, 40], k: [2, 3], ci: 5, co: 4, s: 1, pad: 'same' },
    { n: 2, hw: [33, 30], k: [3, 3], ci: 3, co: 16, s: 2, pad: 'valid' },
    { n: 3, hw: [20, 20], k: [5, 5], ci: 2, co: 8, s: 1, pad: 'same' },
  ];
  for (const { n, hw, k, ci, co, s, pad } of cases) {
    const xShape = [n, ...hw, ci] as [number, number, number, number];
    const xData = h.data(xShape);
    const label = `x ${xShape.join('x')}, filter ${k.join('x')}x${ci}x${co}, stride ${s}, ${pad}`;
    it(label, async () => {
      const y = await on('cpu', () => [tf.conv2d(tf.tensor4d(xData, xShape), tf.zeros([...k, ci, co]) as tf.Tensor4D, s, pad)]);
      const dyData = h.data(y[0].shape);
      await compare(label, () => [
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor4d(xData, xShape), dy: tf.tensor(dyData, y[0].shape) }, {
          strides: s,
          pad,
          dataFormat: 'NHWC',
          filterShape: [...k, ci, co],
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ]);
    });
  }
});

describe('3x3 stride-1 convolutions on Winograd match cpu', () => {
  type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
  const cases: Array<{ n: number; hw: [number, number]; ci: number; co: number; pad: Pad }> = [
    { n: 2, hw: [14, 14], ci: 32, co: 64, pad: 'same' },
    { n: 3, hw: [7, 9], ci: 8, co: 12, pad: 'same' },
    { n: 1, hw: [11, 6], ci: 16, co: 8, pad: 'valid' },
    {
      n: 2,
      hw: [5, 5],
      ci: 12,
      co: 20,
      pad: [
        [0, 0],
        [2, 0],
        [0, 1],
        [0, 0],
      ],
    },
    { n: 1, hw: [3, 3], ci: 8, co: 8, pad: 'valid' },
  ];
  for (const { n, hw, ci, co, pad } of cases) {
    const xShape = [n, ...hw, ci] as [number, number, number, number];
    const [xData, fData] = [h.data(xShape), h.data([3, 3, ci, co])];
    const label = `x ${xShape.join('x')}, filter 3x3x${ci}x${co}, pad ${JSON.stringify(pad)}: output and both gradients`;
    it(label, async () => {
      const y = await on('cpu', () => [tf.conv2d(tf.tensor4d(xData, xShape), tf.tensor4d(fData, [3, 3, ci, co]), 1, pad)]);
      const dyData = h.data(y[0].shape);
      await compare(label, () => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad);
        const x = tf.tensor4d(xData, xShape);
        const w = tf.tensor4d(fData, [3, 3, ci, co]);
        return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).mul(tf.tensor(dyData, y[0].shape)).sum())([x, w])];
      });
    });
  }
});

describe('Identity shares the buffer instead of copying it', () => {
  it('a clone outlives its original, and the buffer goes with the last of them', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const ids = tf.engine().backend.numDataIds();
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    assert.equal(tf.engine().backend.numDataIds(), ids + 1, 'a clone takes no new buffer');
    a.dispose();
    assert.deepEqual([...b.dataSync()], [1, 2, 3]);
    b.dispose();
    assert.equal(tf.engine().backend.numDataIds(), ids);
  });
  it('Cast to the same dtype shares too; real conversions still convert', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const ids = tf.engine().backend.numDataIds();
    const a = tf.tensor([1.5, -2.5, 3]);
    const same = tf.cast(a, 'float32');
    assert.equal(tf.engine().backend.numDataIds(), ids + 1);
    const ints = tf.cast(a, 'int32');
    const back = tf.cast(tf.tensor([true, false], [2], 'bool'), 'float32');
    a.dispose();
    assert.deepEqual([...same.dataSync()], [1.5, -2.5, 3]);
    assert.deepEqual([...ints.dataSync()], [1, -2, 3]);
    assert.deepEqual([...back.dataSync()], [1, 0]);
    tf.dispose([same, ints, back]);
  });
  it('strings still copy', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const s = tf.tensor(['x', 'y']);
    const c = tf.clone(s);
    s.dispose();
    assert.deepEqual(c.dataSync(), ['x', 'y']);
    c.dispose();
  });
});

describe('training data on wasm', () => {
  it("is written straight into the heap, identical to the cpu backend's upload, and freed with the tensors", async () => {
    const inputShape = [3, 2, 2];
    const count = 11;
    const data = {
      x: h.data([count, ...inputShape]),
      y: Int32Array.from({ length: count }, (_, i) => i % 4),
      inputShape,
      task: 'classification' as const,
      classes: 4,
      train: Int32Array.from([0, 2, 3, 5, 7, 8, 10]),
      val: Int32Array.from([1, 4, 6, 9]),
      count,
    };
    const upload = async (backend: 'cpu' | 'wasm') => {
      assert.ok(await tf.setBackend(backend));
      const ids = tf.engine().backend.numDataIds();
      const t = createDataTensors(data);
      const got = [t.trainX, t.trainY, t.valX, t.valY].map((x) => ({ shape: x.shape, values: [...x.dataSync()] }));
      t.dispose();
      assert.equal(tf.engine().backend.numDataIds(), ids, `${backend}: buffers left behind`);
      return got;
    };
    assert.deepEqual(await upload('wasm'), await upload('cpu'));
  });
});

describe('SIMD GEMM', () => {
  it('packs B stored transposed into the same panels as B stored by rows, for any K and N remainder', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const backend = tf.backend();
    const k = simd(backend);
    for (const [kk, n] of [
      [1, 8],
      [3, 16],
      [4, 8],
      [7, 13],
      [9, 24],
      [16, 28],
      [130, 40],
      [5, 75],
      [17, 136],
    ]) {
      const b = h.data([kk, n]);
      const bT = new Float32Array(n * kk);
      for (let p = 0; p < kk; p++) for (let j = 0; j < n; j++) bT[j * kk + p] = b[p * n + j];
      const [tb, tbT] = [tf.tensor(b), tf.tensor(bT)];
      const bytes = kk * Math.ceil(n / NR) * NR * 4;
      const [byRows, transposed] = [scratch(backend, bytes), scratch(backend, bytes)];
      try {
        k.pack(addr(backend, tb), n * 4, 4, kk, n, byRows.ptr);
        k.pack(addr(backend, tbT), 4, kk * 4, kk, n, transposed.ptr);
        const want = [...heapF32(backend, byRows.ptr, bytes / 4)];
        assert.deepEqual([...heapF32(backend, transposed.ptr, bytes / 4)], want, `K=${kk} N=${n}`);
      } finally {
        byRows.free();
        transposed.free();
        tf.dispose([tb, tbT]);
      }
    }
  });

  it('matches a plain triple loop, A as stored and transposed, B packed or strided, with row and K remainders, with and without accumulation', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const backend = tf.backend();
    const k = simd(backend);
    // Row counts cover every remainder of the 4-row tiles (1, 2, 3: the edge blocks), K = 1 and odd K; N = 72
    // packs as one group of 8 panels and one more. The last rows go as 3-row blocks (9 = 3 + 3 + 3,
    // 10 = 4 + 3 + 3, 25 = 4 * 4 + 3 * 3, 5 = 3 + 2): a miscounted tail leaves rows unwritten or writes past M.
    for (const [m, kk, n] of [
      [1, 1, 8],
      [2, 3, 8],
      [3, 5, 16],
      [5, 7, 16],
      [6, 1, 8],
      [7, 9, 24],
      [9, 11, 16],
      [10, 2, 8],
      [25, 6, 8],
      [13, 33, 24],
      [4, 4, 8],
      [31, 130, 40],
      [6, 5, 72],
    ]) {
      const a = h.data([m, kk]);
      const b = h.data([kk, n]);
      const c0 = h.data([m, n]);
      const product = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < kk; p++) product[i * n + j] += a[i * kk + p] * b[p * n + j];
      const aT = new Float32Array(kk * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < kk; p++) aT[p * m + i] = a[i * kk + p];
      // B in rows of n + 8 floats for gemmS, the extra columns NaN: a read past column n would show.
      const wide = new Float32Array(kk * (n + 8)).fill(NaN);
      for (let p = 0; p < kk; p++) wide.set(b.subarray(p * n, p * n + n), p * (n + 8));
      for (const mode of ['packed', 'A^T', 'B strided'] as const) {
        for (const accumulate of [1, 0]) {
          const want = accumulate ? product.map((x, i) => x + c0[i]) : product;
          // C has MR more rows than the product, sentinels a write past row m would change.
          const cRows = new Float32Array((m + MR) * n).fill(-7);
          cRows.set(c0);
          const ta = tf.tensor(mode === 'A^T' ? aT : a);
          const tb = tf.tensor(mode === 'B strided' ? wide : b);
          const tc = tf.tensor(cRows);
          const packed = scratch(backend, kk * Math.ceil(n / NR) * NR * 4);
          try {
            k.pack(addr(backend, tb), n * 4, 4, kk, n, packed.ptr);
            const [at, bt, ct] = [addr(backend, ta), addr(backend, tb), addr(backend, tc)];
            if (mode === 'A^T') k.gemmT(at, m * 4, packed.ptr, ct, n * 4, m, n, kk, accumulate);
            else if (mode === 'packed') k.gemm(at, kk * 4, packed.ptr, ct, n * 4, m, n, kk, accumulate);
            else k.gemmS(at, kk * 4, bt, ct, n * 4, m, n, kk, accumulate, (n + 8) * 4);
            const got = tc.dataSync();
            const what = `${m}x${kk}x${n} (${mode}, accumulate ${accumulate})`;
            for (let i = 0; i < want.length; i++)
              assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])), `${what}: element ${i} is ${got[i]}, want ${want[i]}`);
            for (let i = want.length; i < got.length; i++) assert.equal(got[i], -7, `${what}: wrote past row ${m} at ${i}`);
          } finally {
            packed.free();
            tf.dispose([ta, tb, tc]);
          }
        }
      }
    }
  });
});
