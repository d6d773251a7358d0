// The wasm gradient kernels against the cpu backend's reference implementations, on seeded random shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { findWasmDir, initBackend } from '../../src/engine/backend';
import { conv2DBackpropInputConfig, registerWasmGradientKernels } from '../../src/engine/kernels';
import { assertClose, compare, harness, kernelBackends, on } from '../helpers/kernels';

const h = harness(20261128);
const int = h.int;
const randomData = (shape: number[]) => h.data(shape);

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

const kernels: Array<[number, number]> = [
  [1, 1],
  [2, 2],
  [3, 3],
  [4, 4],
  [3, 2],
  [2, 5],
];
const stridesList: Array<[number, number]> = [
  [1, 1],
  [2, 2],
];
const pads: Pad[] = ['same', 'valid'];

kernelBackends();

describe('registration', () => {
  it('registers the missing gradient kernels and overrides Conv2DBackpropInput, idempotently', () => {
    registerWasmGradientKernels();
    registerWasmGradientKernels();
    for (const name of [tf.Conv2DBackpropFilter, tf.DepthwiseConv2dNativeBackpropFilter, tf.DepthwiseConv2dNativeBackpropInput]) {
      assert.ok(tf.getKernel(name, 'wasm'), `${name} missing`);
    }
    assert.equal(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc, conv2DBackpropInputConfig.kernelFunc);
  });

  it('the comparison rejects a 1e-3 relative error', () => {
    const expected = { shape: [3], values: Float32Array.from([1, -2, 3]) };
    const actual = { shape: [3], values: Float32Array.from([1, -2.002, 3]) };
    assert.throws(() => assertClose(actual, expected, 'perturbed'));
    assert.throws(() => assertClose(expected, { shape: [3], values: new Float32Array(3) }, 'zeros'));
  });
});

describe('conv2d gradients match cpu', () => {
  const cases: Array<{ k: [number, number]; s: [number, number]; pad: Pad }> = [];
  for (const k of kernels) for (const s of stridesList) for (const pad of pads) cases.push({ k, s, pad });
  cases.push({ k: [3, 3], s: [2, 1], pad: 'same' }, { k: [2, 3], s: [1, 2], pad: 'valid' });
  cases.push(
    { k: [3, 3], s: [1, 1], pad: 1 },
    {
      k: [3, 2],
      s: [2, 2],
      pad: [
        [0, 0],
        [2, 0],
        [1, 1],
        [0, 0],
      ],
    },
  );
  // Pads wider than the kernel: the input gradient's own padding goes negative and must crop.
  cases.push(
    {
      k: [3, 3],
      s: [1, 1],
      pad: [
        [0, 0],
        [3, 1],
        [0, 4],
        [0, 0],
      ],
    },
    {
      k: [2, 3],
      s: [2, 2],
      pad: [
        [0, 0],
        [4, 0],
        [3, 2],
        [0, 0],
      ],
    },
  );

  for (const { k, s, pad } of cases) {
    const n = int(1, 3);
    const [h, w] = [int(k[0] + 1, 9), int(k[1] + 1, 9)];
    const [ci, co] = [int(1, 4), int(1, 4)];
    const xData = randomData([n, h, w, ci]);
    const fData = randomData([k[0], k[1], ci, co]);
    const label = `x ${n}x${h}x${w}x${ci}, filter ${k.join('x')}x${ci}x${co}, strides ${s}, pad ${JSON.stringify(pad)}`;

    it(label, async () => {
      const outShape = await on('cpu', () => [tf.conv2d(tf.tensor4d(xData, [n, h, w, ci]), tf.tensor4d(fData, [...k, ci, co]), s, pad)]);
      const dyData = randomData(outShape[0].shape);
      await compare(label, () => {
        const x = tf.tensor4d(xData, [n, h, w, ci]);
        const f = tf.tensor4d(fData, [...k, ci, co]);
        const dy = tf.tensor(dyData, outShape[0].shape);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad)
            .mul(dy)
            .sum(),
        );
        return grads([x, f]);
      });
    });
  }

  it("NCHW input gradient falls back to wasm's own kernel", async () => {
    const dyData = randomData([2, 4, 3, 4]);
    const fData = randomData([3, 3, 3, 4]);
    await compare('NCHW', () => [
      tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: tf.tensor4d(dyData, [2, 4, 3, 4]), filter: tf.tensor4d(fData, [3, 3, 3, 4]) }, {
        strides: 2,
        pad: 'same',
        dataFormat: 'NCHW',
        inputShape: [2, 3, 6, 7],
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
    ]);
  });

  it('conv2dTranspose (whose forward pass is Conv2DBackpropInput), stride 2', async () => {
    const xData = randomData([2, 4, 5, 6]);
    const fData = randomData([3, 3, 3, 6]);
    await compare('conv2dTranspose', () => {
      const f = (x: tf.Tensor, w: tf.Tensor) =>
        tf
          .conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 9, 3], 2, 'same')
          .square()
          .sum();
      return [
        f(tf.tensor4d(xData, [2, 4, 5, 6]), tf.tensor4d(fData, [3, 3, 3, 6])),
        ...tf.grads(f)([tf.tensor4d(xData, [2, 4, 5, 6]), tf.tensor4d(fData, [3, 3, 3, 6])]),
      ];
    });
  });

  it('fused conv2d with bias and relu (the layers path)', async () => {
    const xData = randomData([2, 7, 6, 3]);
    const fData = randomData([3, 3, 3, 5]);
    const bData = randomData([5]);
    await compare('fused', () => {
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.fused
          .conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 2, pad: 'same', activation: 'relu' })
          .square()
          .sum();
      return tf.grads(f)([tf.tensor4d(xData, [2, 7, 6, 3]), tf.tensor4d(fData, [3, 3, 3, 5]), tf.tensor1d(bData)]);
    });
  });
});

describe('depthwise gradients match cpu', () => {
  for (const k of kernels) {
    for (const s of stridesList) {
      for (const pad of pads) {
        for (const m of [1, 2]) {
          const n = int(1, 3);
          const [h, w] = [int(k[0] + 1, 9), int(k[1] + 1, 9)];
          const c = int(1, 4);
          const xData = randomData([n, h, w, c]);
          const fData = randomData([k[0], k[1], c, m]);
          const label = `x ${n}x${h}x${w}x${c}, filter ${k.join('x')}x${c}x${m}, strides ${s}, pad ${pad}`;
          it(label, async () => {
            await compare(label, () => {
              const f = (a: tf.Tensor, b: tf.Tensor) => {
                const y = tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad as 'same');
                // A fixed non-uniform weighting, so dy is not constant.
                return y.mul(tf.linspace(-1, 2, y.size).reshape(y.shape)).sum();
              };
              return tf.grads(f)([tf.tensor4d(xData, [n, h, w, c]), tf.tensor4d(fData, [...k, c, m])]);
            });
          });
        }
      }
    }
  }
});

/** The filter with (d - 1) zeros between taps: a dilated conv is an undilated conv with this filter. */
function spreadFilter(data: Float32Array, [kh, kw, c, m]: number[], [dh, dw]: [number, number]): { data: Float32Array; shape: number[] } {
  const shape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m];
  const out = new Float32Array(shape[0] * shape[1] * c * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      out.set(data.subarray((i * kw + j) * c * m, (i * kw + j + 1) * c * m), (i * dh * shape[1] + j * dw) * c * m);
    }
  }
  return { data: out, shape };
}

// tfjs's depthwise gradient refuses dilations > 1, and the cpu backprop kernels silently ignore them, so
// the reference for dilated cases is the cpu kernel run on the zero-spread (undilated) filter.
describe('depthwise kernels called directly (dilations, explicit pads) match cpu', () => {
  const cases: Array<{ k: [number, number]; d: [number, number]; pad: Pad; m: number; c?: number }> = [
    { k: [3, 3], d: [2, 2], pad: 'same', m: 1 },
    // Channels in whole vectors: the register kernels (depthwiseSimd.ts), dilated.
    { k: [3, 3], d: [2, 2], pad: 'same', m: 1, c: 8 },
    { k: [3, 2], d: [2, 3], pad: 'valid', m: 1, c: 4 },
    { k: [2, 2], d: [2, 2], pad: 'same', m: 2 },
    { k: [3, 2], d: [2, 3], pad: 'valid', m: 2 },
    { k: [2, 3], d: [3, 1], pad: 'valid', m: 1 },
    { k: [4, 3], d: [2, 2], pad: 1, m: 1 },
    {
      k: [3, 3],
      d: [1, 1],
      pad: [
        [0, 0],
        [0, 2],
        [1, 0],
        [0, 0],
      ],
      m: 2,
    },
  ];
  for (const { k, d, pad, m, c: channels } of cases) {
    const [n, c] = [int(1, 3), channels ?? int(1, 4)];
    const [h, w] = [int((k[0] - 1) * d[0] + 2, 11), int((k[1] - 1) * d[1] + 2, 11)];
    const xData = randomData([n, h, w, c]);
    const fData = randomData([k[0], k[1], c, m]);
    const spread = spreadFilter(fData, [k[0], k[1], c, m], d);
    const label = `depthwise x ${n}x${h}x${w}x${c}, filter ${k.join('x')}x${c}x${m}, dilations ${d}, pad ${JSON.stringify(pad)}`;
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
      tf.engine().runKernel(name, inputs, { strides: 1, pad, dimRoundingMode: undefined, ...attrs } as unknown as tf.NamedAttrMap) as tf.Tensor;
    it(label, async () => {
      const y = await on('cpu', () => [tf.depthwiseConv2d(tf.tensor4d(xData, [n, h, w, c]), tf.tensor4d(fData, [...k, c, m]), 1, pad as 'same', 'NHWC', d)]);
      const dyData = randomData(y[0].shape);
      const x = () => tf.tensor4d(xData, [n, h, w, c]);
      const dy = () => tf.tensor(dyData, y[0].shape);
      await compare(
        label,
        () => [
          run(tf.DepthwiseConv2dNativeBackpropFilter, { x: x(), dy: dy() }, { dilations: d, filterShape: [...k, c, m] }),
          run(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy(), filter: tf.tensor4d(fData, [...k, c, m]) }, { dilations: d, inputShape: [n, h, w, c] }),
        ],
        1e-4,
        () => [
          tf.stridedSlice(
            run(tf.DepthwiseConv2dNativeBackpropFilter, { x: x(), dy: dy() }, { dilations: 1, filterShape: spread.shape }),
            [0, 0, 0, 0],
            spread.shape,
            [d[0], d[1], 1, 1],
          ),
          run(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy(), filter: tf.tensor(spread.data, spread.shape) }, { dilations: 1, inputShape: [n, h, w, c] }),
        ],
      );
    });
  }
});

describe('a small conv net trains on wasm', () => {
  it('fits 2 epochs with decreasing loss and leaks nothing', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = tf.engine().backend.numDataIds();
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeded(1) }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', activation: 'relu', depthwiseInitializer: seeded(2) }),
        tf.layers.separableConv2d({
          filters: 6,
          kernelSize: 2,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          depthwiseInitializer: seeded(3),
          pointwiseInitializer: seeded(4),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(5) }),
      ],
    });
    const optimizer = tf.train.adam(0.02);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const samples = 48;
    const xData = randomData([samples, 8, 8, 2]);
    // Learnable labels: which of the two channels (or neither, clearly) has the larger mean.
    const labels = Array.from({ length: samples }, (_, i) => {
      let diff = 0;
      for (let p = 0; p < 64; p++) diff += xData[i * 128 + p * 2] - xData[i * 128 + p * 2 + 1];
      return diff > 2 ? 0 : diff < -2 ? 1 : 2;
    });
    const xs = tf.tensor4d(xData, [samples, 8, 8, 2]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
    const history = await model.fit(xs, ys, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.equal(losses.length, 2);
    assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
    assert.ok(losses[1] < losses[0], `loss did not decrease: ${losses}`);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'tensor leak');
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, 'backend buffer leak');
  });
});

describe('initBackend', () => {
  const hasTfjsNode = (() => {
    try {
      require.resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();

  it('auto picks the fastest available backend and says why it skipped faster ones', async (t) => {
    if (hasTfjsNode) return t.skip('tfjs-node is installed here');
    const logs: string[] = [];
    const chosen = await initBackend('auto', (m) => logs.push(m));
    assert.equal(chosen.name, 'wasm');
    assert.equal(chosen.reason, 'tfjs-node not installed');
    assert.equal(chosen.tf.getBackend(), 'wasm');
    assert.match(logs.join('\n'), /wasm/);
  });

  it('an explicit request that cannot be met throws a clear error', async (t) => {
    if (hasTfjsNode) return t.skip('tfjs-node is installed here');
    await assert.rejects(initBackend('tensorflow'), /'tensorflow' is unavailable: tfjs-node not installed/);
  });

  it('cpu on request', async () => {
    const chosen = await initBackend('cpu');
    assert.equal(chosen.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    await initBackend('wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('finds the .wasm binaries, and honours NAS_STUDIO_WASM_DIR', () => {
    const saved = process.env.NAS_STUDIO_WASM_DIR;
    try {
      delete process.env.NAS_STUDIO_WASM_DIR;
      const found = findWasmDir();
      assert.ok(found.dir?.endsWith(path.join('tfjs-backend-wasm', 'dist')), JSON.stringify(found));
      process.env.NAS_STUDIO_WASM_DIR = found.dir;
      assert.equal(findWasmDir().dir, found.dir);
      process.env.NAS_STUDIO_WASM_DIR = os.tmpdir();
      assert.match(findWasmDir().reason ?? '', /NAS_STUDIO_WASM_DIR/);
    } finally {
      if (saved === undefined) delete process.env.NAS_STUDIO_WASM_DIR;
      else process.env.NAS_STUDIO_WASM_DIR = saved;
    }
  });
});
