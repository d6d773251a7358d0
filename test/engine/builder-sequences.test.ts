// The builder against the checker for sequence layers: every recurrent, convolutional, pooling, attention and
// embedding layer must give tfjs the parameter count and the shapes src/core/sequenceShapes.ts promised.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BuildError, buildModel } from '../../src/engine/builder';
import { type LayerSpec, seq } from '../helpers/arch';
import { type BuildCase, itMatchesCostModel } from '../helpers/buildCases';

type L = LayerSpec;

type Case = BuildCase;

const rnn = (type: 'lstm' | 'gru' | 'simpleRnn', units: number, returnSequences: boolean, bidirectional = false): L => ({
  type,
  units,
  returnSequences,
  bidirectional,
  activation: 'tanh',
});

const encoder = (heads: number, feedForward: number, extra: Partial<Extract<L, { type: 'transformerEncoder' }>> = {}): L => ({
  type: 'transformerEncoder',
  heads,
  feedForward,
  dropout: 0.1,
  activation: 'relu',
  normFirst: false,
  ...extra,
});

const cases: Case[] = [
  {
    name: 'stacked recurrent layers: lstm (all steps), bidirectional gru, simpleRnn (last step)',
    input: [12, 5],
    outputs: 3,
    task: 'classification',
    arch: seq(rnn('lstm', 8, true), rnn('gru', 6, true, true), rnn('simpleRnn', 4, false)),
  },
  {
    name: 'bidirectional lstm to a vector, layer norm, dense',
    input: [7, 3],
    outputs: 1,
    task: 'regression',
    arch: seq(rnn('lstm', 5, false, true), { type: 'layerNormalization' }, { type: 'dense', units: 4, activation: 'relu' }),
  },
  {
    name: 'conv1d with strides, dilation and both paddings, 1-d pooling, global max pooling',
    input: [20, 4],
    outputs: 2,
    task: 'classification',
    arch: seq(
      { type: 'conv1d', filters: 6, kernelSize: 3, strides: 2, dilationRate: 1, padding: 'same', activation: 'relu' },
      { type: 'maxPooling1d', poolSize: 2, strides: 2, padding: 'valid' },
      { type: 'conv1d', filters: 5, kernelSize: 2, strides: 1, dilationRate: 2, padding: 'valid', activation: 'elu' },
      { type: 'averagePooling1d', poolSize: 3, strides: 1, padding: 'same' },
      { type: 'globalMaxPooling1d' },
    ),
  },
  {
    name: 'dense per step on a sequence, batch norm, global average pooling',
    input: [9, 4],
    outputs: 3,
    task: 'classification',
    arch: seq({ type: 'dense', units: 6, activation: 'relu' }, { type: 'batchNormalization' }, { type: 'globalAveragePooling1d' }),
  },
  {
    name: 'transformer: learned positions, post-norm block with default key size, pre-norm block with keySize and gelu',
    input: [10, 8],
    outputs: 4,
    task: 'classification',
    arch: seq(
      { type: 'positionalEmbedding', kind: 'learned' },
      encoder(2, 16),
      encoder(3, 12, { keySize: 5, activation: 'gelu', normFirst: true, dropout: 0 }),
      { type: 'globalAveragePooling1d' },
    ),
  },
  {
    name: 'text: embedding of token ids, sinusoidal positions, transformer, flatten head',
    input: [6],
    outputs: 2,
    task: 'classification',
    data: { vocabulary: 30 },
    arch: seq({ type: 'embedding', outputDim: 8 }, { type: 'positionalEmbedding', kind: 'sinusoidal' }, encoder(4, 8)),
  },
  {
    name: 'text: embedding with an explicit inputDim, conv1d, lstm',
    input: [11],
    outputs: 3,
    task: 'classification',
    data: { vocabulary: 20 },
    arch: seq(
      { type: 'embedding', outputDim: 6, inputDim: 25 },
      { type: 'conv1d', filters: 4, kernelSize: 3, strides: 1, dilationRate: 1, padding: 'same', activation: 'relu' },
      rnn('lstm', 5, false),
    ),
  },
];

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});

describe('buildModel matches src/core/sequenceShapes.ts', () => {
  itMatchesCostModel(cases);
});

describe('buildModel with sequence layers', () => {
  it('same seed -> identical weights; no two kernels alike (each direction of a bidirectional layer has its own)', () => {
    for (const c of [cases[0], cases[4]]) {
      const a = buildModel(c.arch, c.input, c.outputs, c.task, 5, c.data);
      const b = buildModel(c.arch, c.input, c.outputs, c.task, 5, c.data);
      try {
        const wa = a.getWeights().map((w) => w.dataSync().join());
        assert.deepEqual(
          b.getWeights().map((w) => w.dataSync().join()),
          wa,
          c.name,
        );
        const kernels = a.weights.filter((w) => /kernel/.test(w.name)).map((w) => w.read().dataSync().join());
        assert.equal(new Set(kernels).size, kernels.length, `${c.name}: two kernels are identical`);
      } finally {
        a.dispose();
        b.dispose();
      }
    }
  });

  it('recurrent kernels start orthogonal', () => {
    const model = buildModel(seq(rnn('lstm', 6, false)), [4, 3], 2, 'classification', 1);
    try {
      const u = model.weights.find((w) => /recurrent_kernel/.test(w.name))!.read();
      const gram = tf.tidy(() => tf.matMul(u, u, false, true).arraySync() as number[][]);
      gram.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-5, `U U^T [${i}][${j}] = ${v}`)));
    } finally {
      model.dispose();
    }
  });

  it('throws BuildError, leaving no weights behind, for heads that do not divide the width', () => {
    const before = tf.memory().numTensors;
    assert.throws(
      () => buildModel(seq(rnn('gru', 6, true), encoder(4, 8)), [5, 2], 2, 'classification', 1),
      (e: unknown) => e instanceof BuildError && /heads 4 do not divide the width 6/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('build + dispose leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (const c of cases) buildModel(c.arch, c.input, c.outputs, c.task, 3, c.data).dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
