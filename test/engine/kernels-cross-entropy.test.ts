// The classification head on wasm against tfjs on the cpu backend: the loss (kernels/crossEntropy.ts: one kernel
// each way) against tfjs-layers' categoricalCrossentropy, per-sample losses and the gradients for the predictions
// and the targets, including values the clip cuts (a zero prediction, a certain one) and rows that do not sum to
// 1; and softmax's gradient (kernels/softmaxGrad.ts), alone and under the loss.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CROSS_ENTROPY, CROSS_ENTROPY_GRAD, categoricalCrossentropy } from '../../src/engine/kernels/crossEntropy';
import { SOFTMAX_GRAD } from '../../src/engine/kernels/softmaxGrad';
import { compare, harness, kernelBackends } from '../helpers/kernels';

kernelBackends();

/** Predictions from seeded logits (softmax, or raw positives when `normalised` is false) and one-hot or soft targets. */
function data(rows: number, classes: number, seed: number, opts: { normalised?: boolean; soft?: boolean; clipped?: boolean } = {}) {
  const g = harness(seed);
  const logits = g.data([rows, classes], -4, 4);
  const p = new Float32Array(rows * classes);
  const t = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes).map(Math.exp);
    const s = opts.normalised === false ? 1 : row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => (p[r * classes + j] = v / s));
    if (opts.soft) {
      const w = g.data([classes], 0, 1);
      const ws = w.reduce((a, b) => a + b, 0);
      w.forEach((v, j) => (t[r * classes + j] = v / ws));
    } else t[r * classes + g.int(0, classes - 1)] = 1;
  }
  if (opts.clipped) {
    // A certain row (1 above the upper bound after the clip) and a zero prediction on the true class.
    p.fill(0, 0, classes);
    p[0] = 1;
    t.fill(0, 0, classes);
    t[0] = 1;
    p.fill(0.5, classes, 2 * classes);
    p[classes] = 0;
    t.fill(0, classes, 2 * classes);
    t[classes] = 1;
    t[classes + 1] = 0.5;
  }
  return { p, t };
}

/** The losses and the gradients of sum(loss * r) for the predictions and the targets. */
function run(rows: number, classes: number, seed: number, opts: Parameters<typeof data>[3] = {}) {
  const { p, t } = data(rows, classes, seed, opts);
  const r = harness(seed + 1).data([rows], 0.5, 1.5);
  return () => {
    const [pt, tt, rt] = [tf.tensor2d(p, [rows, classes]), tf.tensor2d(t, [rows, classes]), tf.tensor1d(r)];
    const loss = categoricalCrossentropy(tt, pt);
    const [dt, dp] = tf.grads((target: tf.Tensor, pred: tf.Tensor) => categoricalCrossentropy(target, pred).mul(rt).sum())([tt, pt]);
    return [loss, dp, dt];
  };
}

describe('categorical cross-entropy: wasm (fused) against tfjs-layers on cpu', () => {
  const cases: Array<[string, number, number, Parameters<typeof data>[3]]> = [
    ['softmax rows, one-hot targets, batch 128 x 10', 128, 10, {}],
    ['soft targets, 7 classes', 9, 7, { soft: true }],
    ['rows that do not sum to 1', 6, 5, { normalised: false }],
    ['clipped values (a certain row, a zero prediction)', 4, 3, { clipped: true }],
  ];
  cases.forEach(([label, rows, classes, opts], i) => it(label, () => compare(label, run(rows, classes, 400 + i, opts))));

  it('runs one kernel each way on wasm and none of tfjs chain', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const { p, t } = data(8, 10, 7);
    const { kernels } = await tf.profile(() =>
      tf.tidy(() => {
        const tt = tf.tensor2d(t, [8, 10]);
        tf.grad((pred: tf.Tensor) => categoricalCrossentropy(tt, pred).sum())(tf.tensor2d(p, [8, 10]));
      }),
    );
    const names = new Set(kernels.map((k) => k.name));
    assert.ok(names.has(CROSS_ENTROPY) && names.has(CROSS_ENTROPY_GRAD), [...names].join(' '));
    for (const slow of ['Log', 'ClipByValue', 'Div']) assert.ok(!names.has(slow), `${slow} still runs`);
  });

  it('a model compiled with it trains and reports accuracy as with the string loss', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: categoricalCrossentropy, metrics: ['accuracy'] });
    const g = harness(5);
    const x = tf.tensor2d(g.data([64, 4]), [64, 4]);
    // The class is the argmax of the first three features: learnable by one dense layer.
    const y = tf.tidy(() => tf.oneHot(x.slice([0, 0], [64, 3]).argMax(-1), 3).toFloat());
    try {
      const history = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
      const losses = history.history.loss as number[];
      assert.ok(losses[losses.length - 1] < losses[0] * 0.7, `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
      assert.ok('acc' in history.history, Object.keys(history.history).join(' '));
    } finally {
      model.dispose();
      tf.dispose([x, y]);
    }
  });
});

describe('softmax gradient: wasm (one kernel) against tfjs on cpu', () => {
  /** The gradient of sum(softmax(x) * r) for x, or of the mean loss under categoricalCrossentropy. */
  const run = (shape: number[], seed: number, loss: boolean) => {
    const g = harness(seed);
    const [x, r] = [g.data(shape, -3, 3), g.data(shape, -1, 1)];
    const { t } = data(
      shape.slice(0, -1).reduce((a, b) => a * b, 1),
      shape[shape.length - 1],
      seed,
    );
    return () => {
      const [xt, rt, tt] = [tf.tensor(x, shape), tf.tensor(r, shape), tf.tensor(t, shape)];
      const f = (v: tf.Tensor) => (loss ? categoricalCrossentropy(tt, tf.softmax(v)).mean() : tf.softmax(v).mul(rt).sum());
      return [tf.grad(f)(xt)];
    };
  };
  it('batch 128 x 10 classes', () => compare('softmax 128x10', run([128, 10], 500, false)));
  it('rank 3, 7 wide (the last axis)', () => compare('softmax 3x4x7', run([3, 4, 7], 501, false)));
  it('under the cross-entropy, as a classification head trains', () => compare('softmax + loss 32x10', run([32, 10], 502, true)));

  it('runs one kernel on wasm and none of tfjs chain', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const { kernels } = await tf.profile(() => tf.tidy(() => void run([4, 6], 503, false)()));
    const names = new Set(kernels.map((k) => k.name));
    assert.ok(names.has(SOFTMAX_GRAD), [...names].join(' '));
    assert.ok(!names.has('Sub'), 'Sub still runs');
  });
});
