// The DARTS supernet: the mixed operation's gradients against finite differences, alpha concentrating on the
// one candidate that can solve a task, and the cell supernet's forward and backward passes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng';
import type { CellOperation, ConcreteLayer } from '../../src/shared/arch';
import type { CellSupernet, SequentialSupernet, SupernetConfig } from '../../src/shared/supernet';
import { CellNet } from '../../src/engine/supernet/cellNet';
import { mixedOp } from '../../src/engine/supernet/mixed';
import type { SupernetNet } from '../../src/engine/supernet/net';
import { SequentialNet } from '../../src/engine/supernet/sequentialNet';
import { disposeOptimizers, makeOptimizers, trainSupernet } from '../../src/engine/supernet/train';
import { runSupernet } from '../../src/engine/supernet/run';
import type { DataTensors } from '../../src/engine/data';
import type { SupernetEpochReport } from '../../src/shared/protocol';
import type { LayerSpec } from '../helpers/arch';

describe('mixed operation', () => {
  it('has the gradients of finite differences, for alpha and for every candidate output', () => {
    const rng = new Rng(5);
    const vals = (n: number) => Array.from({ length: n }, () => rng.next() * 2 - 1);
    const alpha = vals(3);
    const outs = [vals(4), vals(4), vals(4)];
    const r = tf.tensor1d(vals(4));
    // f(alpha, o0, o2) = sum(r * mixed); candidate 1 is `none` (null): it only takes its softmax share.
    const f = (a: number[], o0: number[], o2: number[]): number =>
      tf.tidy(() => tf.sum(tf.mul(r, mixedOp(tf.tensor1d(a), [tf.tensor1d(o0), null, tf.tensor1d(o2)]))).dataSync()[0]);
    const g = tf.grads((a: tf.Tensor, o0: tf.Tensor, o2: tf.Tensor) => tf.sum(tf.mul(r, mixedOp(a as tf.Tensor1D, [o0, null, o2]))));
    const [ga, g0, g2] = g([tf.tensor1d(alpha), tf.tensor1d(outs[0]), tf.tensor1d(outs[2])]).map((t) => Array.from(t.dataSync()));
    // float32: a step of 1e-2 with central differences leaves an error of order 1e-4 on these O(1) values.
    const h = 1e-2;
    const numeric = (which: 0 | 1 | 2, i: number) => {
      const args = (d: number): [number[], number[], number[]] => {
        const a = [...alpha];
        const o0 = [...outs[0]];
        const o2 = [...outs[2]];
        [a, o0, o2][which][i] += d;
        return [a, o0, o2];
      };
      return (f(...args(h)) - f(...args(-h))) / (2 * h);
    };
    ga.forEach((v, i) => assert.ok(Math.abs(v - numeric(0, i)) < 2e-3, `d/dalpha[${i}]: ${v} vs ${numeric(0, i)}`));
    g0.forEach((v, i) => assert.ok(Math.abs(v - numeric(1, i)) < 2e-3, `d/do0[${i}]: ${v} vs ${numeric(1, i)}`));
    g2.forEach((v, i) => assert.ok(Math.abs(v - numeric(2, i)) < 2e-3, `d/do2[${i}]: ${v} vs ${numeric(2, i)}`));
    // The zero candidate's weight still pulls: the gradient of alpha[1] is not zero.
    assert.ok(Math.abs(ga[1]) > 1e-4);
    r.dispose();
  });
});

/** XOR of two signs in 8 noisy features: a hidden ReLU layer solves it, a fixed activation in front of a linear head cannot. */
function xorData(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 8);
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 8; j++) x[i * 8 + j] = rng.next() * 2 - 1;
    y[i * 2 + (x[i * 8] * x[i * 8 + 1] > 0 ? 1 : 0)] = 1;
  }
  return { x: tf.tensor2d(x, [n, 8]), y: tf.tensor2d(y, [n, 2]) };
}

function tensorsOf(train: ReturnType<typeof xorData>, val: ReturnType<typeof xorData>) {
  return {
    trainX: train.x,
    trainY: train.y,
    valX: val.x,
    valY: val.y,
    *batches(epochSeed: number, batchSize: number) {
      const n = train.x.shape[0];
      const rng = new Rng(epochSeed);
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let at = 0; at < n; at += batchSize) {
        const idx = tf.tensor1d(order.slice(at, at + batchSize), 'int32');
        yield { xs: tf.gather(train.x, idx), ys: tf.gather(train.y, idx) };
        idx.dispose();
      }
    },
  };
}

const layer = (l: LayerSpec, i: number): ConcreteLayer => ({ ...l, source: `architecture.layers[0].options[${i}]` }) as ConcreteLayer;

/** A sequential supernet of one mixed position whose candidates are single layers (the spec's first layer choice). */
function oneChoice(candidates: LayerSpec[]): SequentialSupernet {
  return {
    kind: 'sequential',
    positions: [
      {
        kind: 'mixed',
        name: 'architecture.layers[0].option',
        label: 'choice #1',
        ops: candidates.map((c) => c.type),
        options: candidates.map((c, i) => [layer(c, i)]),
      },
    ],
  };
}

describe('first-order DARTS', () => {
  it('concentrates alpha on the one candidate that can solve the task (seeded)', async () => {
    const space = oneChoice([
      { type: 'activation', activation: 'linear' },
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'activation', activation: 'tanh' },
    ]);
    const config: SupernetConfig = {
      space,
      training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 6 },
      alphaLearningRate: 0.03,
    };
    const before = tf.memory().numTensors;
    const data = tensorsOf(xorData(640, 1), xorData(320, 2));
    const net = new SequentialNet(space, [8], 2, 11);
    const opt = makeOptimizers(config, 640);
    const history: number[][] = [];
    const metrics: number[] = [];
    const epochs = await trainSupernet(net, data, config, opt, {
      seed: 3,
      task: 'classification',
      onEpoch: async (_e, m, alpha) => {
        history.push(alpha[0]);
        metrics.push(m.val_accuracy!);
        return 'continue';
      },
    });
    disposeOptimizers(opt);
    net.dispose();
    assert.equal(epochs, 6);
    const last = history[history.length - 1];
    assert.ok(Math.abs(history[0].reduce((a, b) => a + b) - 1) < 1e-5, 'alpha rows are softmax weights');
    assert.ok(last[1] > 0.6, `dense should take most of the weight, got ${last.map((w) => w.toFixed(3)).join(' ')}`);
    assert.ok(last[1] > history[0][1], 'and gain it over the epochs');
    assert.ok(metrics[metrics.length - 1] > 0.8, `the supernet learns the task: val accuracy ${metrics.join(', ')}`);
    tf.dispose([data.trainX, data.trainY, data.valX, data.valY]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });

  it('replays a supernet with dropout under the same seed: same losses and alpha epoch by epoch', async () => {
    // Dropout masks come from Math.random (tfjs) or the project's kernel: unseeded, two runs drew other masks.
    const space = oneChoice([
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'dropout', rate: 0.5 },
    ]);
    const config: SupernetConfig = { space, training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2 }, alphaLearningRate: 0.03 };
    const data = tensorsOf(xorData(128, 1), xorData(64, 2));
    const run = async (seed: number) => {
      const net = new SequentialNet(space, [8], 2, 11);
      const opt = makeOptimizers(config, 128);
      const seen: number[][] = [];
      await trainSupernet(net, data, config, opt, {
        seed,
        task: 'classification',
        onEpoch: async (_e, m, alpha) => {
          seen.push([m.loss, ...alpha[0]]);
          return 'continue';
        },
      });
      disposeOptimizers(opt);
      net.dispose();
      return seen;
    };
    const a = await run(3);
    assert.equal(a.length, 2);
    assert.deepEqual(await run(3), a);
    assert.notDeepEqual(await run(4), a);
    tf.dispose([data.trainX, data.trainY, data.valX, data.valY]);
  });
});

describe('cell supernet', () => {
  it('runs every operation on every edge, with gradients for alpha and every weight', () => {
    const space: CellSupernet = {
      kind: 'cell',
      nodes: 3,
      channels: 4,
      cells: 1,
      stages: 2,
      operations: ['none', 'skip', 'conv1x1', 'conv3x3', 'sepConv3x3', 'avgPool3x3', 'maxPool3x3'],
      edges: [
        { name: 'architecture.edge[0->1]', label: 'edge 0 → 1', ops: [], from: 0, to: 1 },
        { name: 'architecture.edge[0->2]', label: 'edge 0 → 2', ops: [], from: 0, to: 2 },
        { name: 'architecture.edge[1->2]', label: 'edge 1 → 2', ops: [], from: 1, to: 2 },
      ],
    };
    const net: SupernetNet = new CellNet(space, [8, 8, 1], 3, 1);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 1);
    const out = net.forward(x, true);
    assert.deepEqual(out.shape, [2, 3]);
    const vars = [...net.alphas, ...net.weights];
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(net.forward(x, true))), vars);
    for (const v of vars) {
      const g = grads[v.name];
      assert.ok(g, `a gradient for ${v.name}`);
      assert.ok(tf.any(tf.notEqual(g, 0)).dataSync()[0], `a nonzero gradient for ${v.shape}`);
    }
    assert.equal(net.alphas.length, 3);
    // stem, per stage-1 reduction 3, per cell per edge: conv1x1, conv3x3, sepConv (2) = 4; head 2
    assert.equal(net.weights.length, 1 + 3 + 2 * 3 * 4 + 2);
    tf.dispose([x, out, ...Object.values(grads)]);
    net.dispose();
  });

  it('computes each edge as its own ReLU-conv-BN, pooling and skip mixed by alpha (edges from a node share its ReLU and pooling)', () => {
    const operations: CellOperation[] = ['none', 'skip', 'conv1x1', 'conv3x3', 'avgPool3x3'];
    const edge = (from: number, to: number) => ({ name: `architecture.edge[${from}->${to}]`, label: '', ops: operations, from, to });
    const space: CellSupernet = { kind: 'cell', nodes: 3, channels: 3, cells: 1, stages: 1, operations, edges: [edge(0, 1), edge(0, 2), edge(1, 2)] };
    const net: SupernetNet = new CellNet(space, [6, 6, 2], 4, 7);
    // alpha away from uniform, so a candidate mixed with the wrong weight shows
    net.alphas.forEach((a, i) => a.assign(tf.tensor1d([0.3, -0.2, 0.5, 0.1, -0.4].map((v) => v * (i + 1)))));
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 2);
    const bn = (t: tf.Tensor4D) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2], true);
      return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))) as tf.Tensor4D;
    };
    // variables in creation order: stem, then per edge conv1x1 and conv3x3, then the head
    const [stem, k01a, k01b, k02a, k02b, k12a, k12b, dense, bias] = net.weights as unknown as tf.Tensor4D[];
    const reference = () =>
      tf.tidy(() => {
        const mixed = (alpha: tf.Tensor, h: tf.Tensor4D, k1: tf.Tensor4D, k3: tf.Tensor4D) => {
          const w = tf.softmax(alpha as tf.Tensor1D).arraySync() as number[];
          const outs = [h, bn(tf.conv2d(tf.relu(h), k1, 1, 'same')), bn(tf.conv2d(tf.relu(h), k3, 1, 'same')), tf.avgPool(h, 3, 1, 'same')];
          return outs.map((o, k) => tf.mul(o, w[k + 1])).reduce((a, b) => tf.add(a, b)) as tf.Tensor4D;
        };
        const n0 = bn(tf.conv2d(x as tf.Tensor4D, stem, 1, 'same'));
        const n1 = mixed(net.alphas[0], n0, k01a, k01b);
        const n2 = tf.add(mixed(net.alphas[1], n0, k02a, k02b), mixed(net.alphas[2], n1, k12a, k12b)) as tf.Tensor4D;
        return tf.add(tf.matMul(tf.mean(tf.relu(n2), [1, 2]) as tf.Tensor2D, dense as unknown as tf.Tensor2D), bias);
      });
    const got = net.forward(x, true);
    const want = reference();
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
    assert.ok(diff < 1e-4, `the supernet's output differs from the per-edge reference by ${diff}`);
    tf.dispose([x, got, want]);
    net.dispose();
  });

  it("takes each edge's softmax once per forward pass, however many cells share alpha, and sums with AddN", async () => {
    const operations: CellOperation[] = ['none', 'skip', 'conv3x3'];
    const edge = (from: number, to: number) => ({ name: `architecture.edge[${from}->${to}]`, label: '', ops: operations, from, to });
    const space: CellSupernet = { kind: 'cell', nodes: 3, channels: 2, cells: 2, stages: 2, operations, edges: [edge(0, 1), edge(0, 2), edge(1, 2)] };
    const net: SupernetNet = new CellNet(space, [4, 4, 1], 2, 3);
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 4);
    // 4 cells x 3 edges would be 12 softmaxes if each cell took its own.
    const { kernels } = await tf.profile(() => void net.forward(x, true).dispose());
    assert.equal(kernels.filter((k) => k.name === 'Softmax').length, 3);
    // One AddN per mixed operation (skip + conv3x3) and per node with two inputs: 4 a cell, not a chain of Adds.
    assert.equal(kernels.filter((k) => k.name === 'AddN').length, 4 * 4);
    x.dispose();
    net.dispose();
  });
});

describe('the supernet job', () => {
  it('sends a checkpoint with every epoch but the last, whose alpha alone is what the derivation needs', async () => {
    const space = oneChoice([
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'activation', activation: 'tanh' },
    ]);
    const config: SupernetConfig = { space, training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 3 } };
    const t = tensorsOf(xorData(64, 1), xorData(32, 2));
    const data: DataTensors = { ...t, inputShape: [8], classes: 2, dispose: () => tf.dispose([t.trainX, t.trainY, t.valX, t.valY]) };
    const sent: SupernetEpochReport['params'][] = [];
    const result = await runSupernet(
      { config, seed: 1, fromEpoch: 0 },
      data,
      'classification',
      async (m) => void sent.push(m.params),
      () => false,
    );
    data.dispose();
    assert.equal(result.status, 'completed', result.error);
    assert.deepEqual(
      sent.map((p) => [p.epoch, p.checkpoint !== undefined]),
      [
        [0, true],
        [1, true],
        [2, false],
      ],
    );
    assert.ok(sent[1].checkpoint!.variables.data.byteLength > 0);
  });
});
