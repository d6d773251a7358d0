// The fused training kernels on wasm against tfjs's own code on the cpu backend: batch norm in training (the
// layer's output, its moving statistics and every gradient), batch norm in inference, and Adam's update.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE } from '../../src/engine/kernels/adam';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, MOVING_AVERAGES } from '../../src/engine/kernels/batchNorm';
import { compare, harness, kernelBackends, on } from '../helpers/kernels';

const h = harness(20261202);

kernelBackends();

/** Kernels a function ran on wasm, by name. */
async function kernelsRun(fn: () => void | Promise<void>): Promise<Set<string>> {
  assert.ok(await tf.setBackend('wasm'));
  const info = await tf.profile(fn);
  return new Set(info.kernels.map((k) => k.name));
}

describe('batch norm in training: the layer on wasm (fused) against tfjs on cpu', () => {
  const cases: Array<{ shape: number[]; offset?: number; momentum?: number }> = [
    { shape: [4, 6, 6, 8] },
    { shape: [3, 5, 4, 5] }, // channels off the vector path
    { shape: [16, 28, 28, 32] }, // many 64-row blocks
    { shape: [7, 10, 10, 22] }, // a last block of 60 rows; 5 vectors and 2 single channels a row
    { shape: [9, 7] }, // after a dense layer
    { shape: [2, 3, 3, 1] },
    { shape: [8, 6, 6, 12], offset: 100 }, // |mean| >> std: centring keeps the precision
    { shape: [5, 4, 4, 6], momentum: 0.5 },
  ];
  for (const { shape, offset = 0, momentum = 0.99 } of cases) {
    const c = shape[shape.length - 1];
    const [xData, gamma, beta, dy] = [h.data(shape, offset - 1, offset + 1), h.data([c], 0.5, 1.5), h.data([c]), h.data(shape)];
    const label = `${shape.join('x')}${offset ? `, mean ~${offset}` : ''}, momentum ${momentum}`;
    it(label, () =>
      compare(label, () => {
        const layer = tf.layers.batchNormalization({ momentum });
        layer.build(shape);
        layer.setWeights([tf.tensor(gamma), tf.tensor(beta), tf.zeros([c]), tf.ones([c])]);
        const x = tf.variable(tf.tensor(xData, shape));
        try {
          const y = layer.apply(x, { training: true }) as tf.Tensor;
          const [g, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
          const { value, grads } = tf.variableGrads(() => (layer.apply(x, { training: true }) as tf.Tensor).mul(tf.tensor(dy, shape)).sum(), [x, g, b]);
          // The moving statistics after two training calls, and inference with them.
          const inference = layer.apply(x, { training: false }) as tf.Tensor;
          return [
            y,
            value,
            grads[x.name],
            grads[g.name],
            grads[b.name],
            inference,
            ...layer
              .getWeights()
              .slice(2)
              .map((w) => w.clone()),
          ];
        } finally {
          x.dispose();
          layer.weights.forEach((w) => w.dispose());
        }
      }),
    );
  }

  it('runs the fused kernels on wasm, and no Tile, Mean, FusedBatchNorm or Sub', async () => {
    const names = await kernelsRun(() => {
      const layer = tf.layers.batchNormalization({});
      const x = tf.variable(tf.tensor(h.data([4, 5, 5, 8]), [4, 5, 5, 8]));
      tf.tidy(() => tf.variableGrads(() => (layer.apply(x, { training: true }) as tf.Tensor).square().sum()));
      x.dispose();
      layer.weights.forEach((w) => w.dispose());
    });
    assert.ok(names.has(BATCH_NORM_TRAINING) && names.has(BATCH_NORM_TRAINING_GRAD) && names.has(MOVING_AVERAGES), [...names].join(' '));
    // Sub ran twice per statistic in the moving averages (Multiply still runs in square's gradient).
    for (const slow of ['Tile', 'Mean', 'FusedBatchNorm', 'Sub']) assert.ok(!names.has(slow), `${slow} still runs`);
  });
});

describe('the fused batch-norm kernel: gradients through its mean and variance outputs too', () => {
  for (const shape of [
    [6, 4, 4, 8],
    [11, 3],
  ]) {
    const c = shape[shape.length - 1];
    const [xData, gamma, beta, r1, r2, r3] = [h.data(shape), h.data([c], 0.5, 1.5), h.data([c]), h.data(shape), h.data([c]), h.data([c])];
    const label = shape.join('x');
    it(label, () =>
      compare(label, () => {
        const axes = shape.slice(0, -1).map((_, i) => i);
        const bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor[] => {
          if (tf.getBackend() === 'wasm') return tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma: g, beta: b }, { epsilon: 1e-3 }) as tf.Tensor[];
          const { mean, variance } = tf.moments(x, axes);
          return [tf.batchNorm(x, mean, variance, b, g, 1e-3), mean, variance];
        };
        const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const [y, mean, variance] = bn(x, g, b);
          return y
            .mul(tf.tensor(r1, shape))
            .sum()
            .add(mean.mul(tf.tensor(r2)).sum())
            .add(variance.mul(tf.tensor(r3)).sum());
        };
        const args = [tf.tensor(xData, shape), tf.tensor(gamma), tf.tensor(beta)];
        return [...bn(args[0], args[1], args[2]), ...tf.grads(loss)(args)];
      }),
    );
  }
});

describe('batch norm in inference (FusedBatchNorm) matches cpu', () => {
  const shape = [3, 5, 5, 6];
  const [x, mean, variance, offset, scale] = [h.data(shape), h.data([6]), h.data([6], 0.1, 2), h.data([6]), h.data([6])];
  it('per-channel statistics, with and without offset and scale', () =>
    compare('inference', () => [
      tf.batchNorm(tf.tensor(x, shape), tf.tensor(mean), tf.tensor(variance), tf.tensor(offset), tf.tensor(scale), 1e-3),
      tf.batchNorm(tf.tensor(x, shape), tf.tensor(mean, [1, 1, 1, 6]), tf.tensor(variance, [1, 1, 1, 6]), undefined, undefined, 1e-2),
      tf.batchNorm(tf.tensor(x, [75, 6]), tf.tensor(mean), tf.tensor(variance), tf.tensor(offset)),
    ]));
  it("scalar statistics go to wasm's own kernel", () =>
    compare('scalar', () => [tf.batchNorm(tf.tensor(x, shape), tf.scalar(0.5), tf.scalar(2), tf.scalar(1), tf.scalar(3))]));
});

describe("Adam's update in one kernel matches tfjs's on cpu", () => {
  const shapes = [[7, 5], [13], [3, 4, 4, 2], [64]];
  const inits = shapes.map((s) => h.data(s));
  const targets = shapes.map((s) => h.data(s, -3, 3));

  it('six steps: the variables and both moments', () =>
    compare('adam', () => {
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(inits[i], s), true, `w${i}`));
      const optimizer = tf.train.adam(0.05);
      try {
        for (let step = 0; step < 6; step++) {
          optimizer.minimize(
            () =>
              tf.addN(
                vars.map((v, i) =>
                  v
                    .sub(tf.tensor(targets[i], shapes[i]))
                    .square()
                    .mul(i + 1)
                    .sum(),
                ),
              ) as tf.Scalar,
          );
        }
        const state = optimizer as unknown as {
          accumulatedFirstMoment: Array<{ variable: tf.Tensor }>;
          accumulatedSecondMoment: Array<{ variable: tf.Tensor }>;
        };
        return [...vars.map((v) => v.clone()), ...[...state.accumulatedFirstMoment, ...state.accumulatedSecondMoment].map((m) => m.variable.clone())];
      } finally {
        optimizer.dispose();
        vars.forEach((v) => v.dispose());
      }
    }));

  it('runs as one kernel per variable on wasm', async () => {
    const v = tf.variable(tf.ones([10]));
    const optimizer = tf.train.adam(0.1);
    const names = await kernelsRun(() => void optimizer.minimize(() => v.square().sum() as tf.Scalar));
    optimizer.dispose();
    v.dispose();
    assert.ok(names.has(ADAM_UPDATE), [...names].join(' '));
    for (const slow of ['Sqrt', 'RealDiv']) assert.ok(!names.has(slow), `${slow} still runs`);
  });
});

describe('mean over a run of axes (global average pooling) and its gradient match cpu', () => {
  const cases: Array<{ shape: number[]; axis: number[]; keepDims?: boolean }> = [
    { shape: [8, 7, 7, 32], axis: [1, 2] },
    { shape: [3, 5, 5, 6], axis: [1, 2], keepDims: true },
    { shape: [130, 7], axis: [0] },
    { shape: [3, 4, 5, 6], axis: [0, 1, 2] },
    { shape: [3, 4, 5], axis: [2] }, // innermost: wasm's own kernel, tfjs's gradient
    { shape: [4, 5, 6], axis: [0, 2] }, // not a run: likewise
  ];
  for (const { shape, axis, keepDims } of cases) {
    const xData = h.data(shape);
    const label = `mean of ${shape.join('x')} over ${axis}${keepDims ? ', keepDims' : ''}`;
    it(label, () =>
      compare(label, () => {
        const x = tf.tensor(xData, shape);
        const y = tf.mean(x, axis, keepDims);
        const dy = tf.tensor(harness(5).data(y.shape), y.shape);
        return [y, tf.grad((a: tf.Tensor) => tf.mean(a, axis, keepDims).mul(dy).sum())(x)];
      }),
    );
  }

  it('global average pooling runs no Fill, Multiply or Transpose on wasm', async () => {
    const names = await kernelsRun(() => {
      const x = tf.tensor(h.data([4, 5, 5, 8]), [4, 5, 5, 8]);
      tf.tidy(() => tf.grad((a: tf.Tensor) => tf.mean(a, [1, 2]).square().sum())(x));
      x.dispose();
    });
    assert.ok(names.has('NasMeanGrad'), [...names].join(' '));
    for (const slow of ['Fill', 'Transpose']) assert.ok(!names.has(slow), `${slow} still runs`);
  });
});

describe("ReLU's gradient in one kernel matches tfjs's on cpu", () => {
  // Sizes off a multiple of 4 exercise the scalar tail; zeros, NaN and infinities tfjs's step/mul edge cases.
  for (const shape of [[8, 14, 14, 32], [3, 7], [1]]) {
    const label = `relu gradient of ${shape.join('x')}`;
    const [data, dyData] = [h.data(shape), h.data(shape)];
    for (let i = 3; i < data.length; i += 5) data[i] = 0;
    it(label, () =>
      compare(label, () => {
        const x = tf.tensor(data, shape);
        const dy = tf.tensor(dyData, shape);
        return [tf.grad((a: tf.Tensor) => tf.relu(a).mul(dy).sum())(x)];
      }),
    );
  }

  it('propagates NaN from x and from dy as tfjs does, and runs no Step on wasm', async () => {
    const xs = [NaN, -1, 0, 2, Infinity, -Infinity, NaN, 3, 0.5];
    const dys = [1, 2, 3, NaN, Infinity, Infinity, 0, -Infinity, 1];
    const grad = () => tf.grad((a: tf.Tensor) => tf.relu(a).mul(tf.tensor1d(dys)).sum())(tf.tensor1d(xs));
    const expected = await on('cpu', () => [grad()]);
    const actual = await on('wasm', () => [grad()]);
    assert.deepEqual([...actual[0].values], [...expected[0].values]);
    const names = await kernelsRun(() => void tf.tidy(() => grad()));
    assert.ok(names.has('NasReluGrad') && !names.has('Step'), [...names].join(' '));
  });
});

describe('dropout on wasm draws its mask in one kernel', () => {
  it('drops the rate, scales the rest by 1/keep, and its gradient goes through the same mask', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const before = tf.memory().numTensors;
    const layer = tf.layers.dropout({ rate: 0.3 });
    const xData = h.data([200, 500], 0.5, 1.5);
    tf.tidy(() => {
      const x = tf.tensor(xData, [200, 500]);
      const dy = tf.tensor(h.data([200, 500]), [200, 500]);
      const [y, dx] = tf.tidy(() => {
        const f = (a: tf.Tensor) => (layer.apply(a, { training: true }) as tf.Tensor).mul(dy).sum();
        const g = tf.grad(f)(x);
        return [layer.apply(x, { training: true }) as tf.Tensor, g];
      });
      const [yv, dxv, dyv] = [y.dataSync(), dx.dataSync(), dy.dataSync()];
      let zeros = 0;
      let gradZeros = 0;
      for (let i = 0; i < yv.length; i++) {
        if (yv[i] === 0) zeros++;
        else assert.ok(Math.abs(yv[i] - xData[i] / 0.7) < 1e-5, `kept element ${i} is ${yv[i]}, not x/0.7`);
        if (dxv[i] === 0) gradZeros++;
        else assert.ok(Math.abs(dxv[i] - dyv[i] / 0.7) < 1e-5, `gradient ${i} is ${dxv[i]}, not dy/0.7`);
      }
      // 100,000 draws: the standard deviation of the dropped fraction is 0.0014.
      assert.ok(Math.abs(zeros / yv.length - 0.3) < 0.01, `dropped ${zeros / yv.length}`);
      assert.ok(Math.abs(gradZeros / yv.length - 0.3) < 0.01, `gradient dropped ${gradZeros / yv.length}`);
      assert.deepEqual((layer.apply(x, { training: false }) as tf.Tensor).dataSync(), x.dataSync(), 'inference passes x through');
    });
    assert.equal(tf.memory().numTensors, before, 'tensor leak');
  });

  it('draws the tail past whole groups of four too, and a fresh mask every call', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const layer = tf.layers.dropout({ rate: 0.5 });
    // 4001 floats: 1000 groups for the SIMD lanes and one left for JavaScript; every value 0 or 1/keep.
    const masks = [1, 2].map(() => tf.tidy(() => (layer.apply(tf.ones([4001]), { training: true }) as tf.Tensor).dataSync() as Float32Array));
    for (const m of masks) {
      assert.ok(
        m.every((v) => v === 0 || v === 2),
        'values other than 0 and 2',
      );
      const kept = m.reduce((a, v) => a + (v === 2 ? 1 : 0), 0) / m.length;
      // sd of the kept fraction over 4001 draws: 0.008
      assert.ok(Math.abs(kept - 0.5) < 0.04, `kept ${kept}`);
      // each lane on its own (elements 4i + j): a lane stuck or dropped would show as 0 or 1 here
      for (let j = 0; j < 4; j++) {
        const lane = m.filter((_, i) => i % 4 === j && i < 4000);
        const k = lane.reduce((a, v) => a + (v === 2 ? 1 : 0), 0) / lane.length;
        assert.ok(Math.abs(k - 0.5) < 0.08, `lane ${j} kept ${k}`);
      }
    }
    assert.ok(
      masks[0].slice(0, 4000).some((v, i) => v !== masks[1][i]),
      'two calls drew the same SIMD mask',
    );
  });

  it("runs the mask kernel and none of tf.dropout's", async () => {
    const layer = tf.layers.dropout({ rate: 0.5 });
    const x = tf.ones([8, 8]);
    const names = await kernelsRun(() => void tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor));
    x.dispose();
    assert.ok(names.has('NasDropoutMask'), [...names].join(' '));
    assert.ok(!names.has('Floor'), 'tf.dropout still runs');
  });

  it("a seeded layer keeps tfjs's seeded mask", async () => {
    assert.ok(await tf.setBackend('wasm'));
    const masks = [1, 2].map(() =>
      tf.tidy(() => (tf.layers.dropout({ rate: 0.5, seed: 3 }).apply(tf.ones([64]), { training: true }) as tf.Tensor).arraySync()),
    );
    assert.deepEqual(masks[0], masks[1]);
  });
});
