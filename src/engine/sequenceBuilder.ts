// The tfjs layers for the sequence layers of src/shared/arch.ts. Weights and shapes must match
// src/core/sequenceShapes.ts (test/engine/builder.test.ts holds the two to each other).
import * as tf from '@tensorflow/tfjs';
import { type ActivationName, SEQUENCE_LAYER_TYPES, type SequenceLayer, type TransformerActivation } from '../shared/arch';
import { headSize } from '../core/sequenceShapes';
import { Rng } from '../core/rng';
import { fastLayerNorm, registerNasLayers } from './layers';
import { fastLstm } from './layers/fastLstm';

type Sym = tf.SymbolicTensor;
type Init = ReturnType<typeof tf.initializers.glorotUniform>;

/** What the sequence layers borrow from the builder: unique names and per-layer seeds, in build order. */
export interface BuildHelpers {
  name(base: string): string;
  nextSeed(): number;
  init(activation: ActivationName | TransformerActivation | 'softmax'): Init;
  /** The dataset's vocabulary, when the input holds token ids. */
  vocabulary?: number;
}

export class SequenceBuildError extends Error {}

function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

const SEQUENCE_TYPES = new Set<string>(SEQUENCE_LAYER_TYPES);

export function isSequenceLayer(l: { type: string }): l is SequenceLayer {
  return SEQUENCE_TYPES.has(l.type);
}

/** Applies one sequence layer to `x`; the last tfjs layer it adds is called `name`. */
export function applySequenceLayer(l: SequenceLayer, x: Sym, name: string, h: BuildHelpers): Sym {
  switch (l.type) {
    case 'embedding': {
      const inputDim = l.inputDim ?? h.vocabulary;
      if (inputDim === undefined) throw new SequenceBuildError('embedding needs token ids: the data has no vocabulary and the layer sets no inputDim');
      const seed = h.nextSeed();
      return apply(
        tf.layers.embedding({
          name,
          inputDim,
          outputDim: l.outputDim,
          embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
        }),
        x,
      );
    }
    case 'lstm':
    case 'gru':
    case 'simpleRnn':
      return recurrent(l, x, name, h);
    case 'conv1d':
      return apply(
        tf.layers.conv1d({
          name,
          filters: l.filters,
          kernelSize: l.kernelSize,
          strides: l.strides,
          dilationRate: l.dilationRate,
          padding: l.padding,
          activation: l.activation,
          kernelInitializer: h.init(l.activation),
        }),
        x,
      );
    case 'maxPooling1d':
      return apply(tf.layers.maxPooling1d({ name, poolSize: l.poolSize, strides: l.strides, padding: l.padding }), x);
    case 'averagePooling1d':
      return apply(tf.layers.averagePooling1d({ name, poolSize: l.poolSize, strides: l.strides, padding: l.padding }), x);
    case 'globalAveragePooling1d':
      return apply(tf.layers.globalAveragePooling1d({ name }), x);
    case 'globalMaxPooling1d':
      return apply(tf.layers.globalMaxPooling1d({ name }), x);
    case 'layerNormalization':
      return apply(layerNorm(name), x);
    case 'positionalEmbedding': {
      const { PositionalEmbedding } = registerNasLayers(tf);
      return apply(new PositionalEmbedding({ name, kind: l.kind, seed: h.nextSeed() }), x);
    }
    case 'transformerEncoder':
      return transformerEncoder(l, x, name, h);
  }
}

function layerNorm(name: string): tf.layers.Layer {
  const LayerNorm = fastLayerNorm(tf);
  return new LayerNorm({ name });
}

type Recurrent = Extract<SequenceLayer, { type: 'lstm' | 'gru' | 'simpleRnn' }>;

function recurrent(l: Recurrent, x: Sym, name: string, h: BuildHelpers): Sym {
  // Initial weights are written after the build (below) so that each direction of a bidirectional layer gets
  // its own: tfjs makes the backward copy from the forward one's config, seeds included.
  const args = {
    units: l.units,
    activation: l.activation,
    returnSequences: l.returnSequences,
    kernelInitializer: 'zeros',
    recurrentInitializer: 'zeros',
  } as const;
  // Gates use the logistic sigmoid, as Keras 2 and PyTorch do (tfjs defaults to hardSigmoid, whose gradient
  // costs five extra kernels per step).
  const gated = { ...args, recurrentActivation: 'sigmoid' } as const;
  const make = (n: string) =>
    l.type === 'lstm'
      ? new (fastLstm(tf))({ ...gated, name: n } as never)
      : l.type === 'gru'
        ? tf.layers.gru({ ...gated, name: n })
        : tf.layers.simpleRNN({ ...args, name: n });
  if (!l.bidirectional) {
    const layer = make(name);
    const y = apply(layer, x);
    initRecurrent(layer, h);
    return y;
  }
  const wrapper = tf.layers.bidirectional({ name, layer: make(h.name(`${name}_rnn`)) as tf.RNN, mergeMode: 'concat' });
  const inner = wrapper as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
  if (l.type === 'lstm') {
    // The wrapper clones both directions through the class registry, which names the standard LSTM: put the
    // fused class back (same configuration, so the saved model is unchanged).
    const Fast = fastLstm(tf);
    inner.forwardLayer = new Fast(inner.forwardLayer.getConfig() as never);
    inner.backwardLayer = new Fast(inner.backwardLayer.getConfig() as never);
  }
  const y = apply(wrapper, x);
  initRecurrent(inner.forwardLayer, h);
  initRecurrent(inner.backwardLayer, h);
  return y;
}

/** Glorot-uniform input kernel and orthogonal recurrent kernel (as Keras), from this layer's own seeds. */
function initRecurrent(layer: tf.layers.Layer, h: BuildHelpers): void {
  const [kernel, recurrentKernel, ...rest] = layer.getWeights();
  const [fanIn, fanOut] = kernel.shape;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const rng = new Rng(h.nextSeed());
  const k = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit);
  const [units, gates] = recurrentKernel.shape;
  const fresh: tf.Tensor[] = [tf.tensor2d(k, [fanIn, fanOut]), tf.tensor2d(orthogonal(units, gates, new Rng(h.nextSeed())), [units, gates])];
  // An LSTM starts with its forget gates open (bias 1, gates in the order input, forget, cell, output), as
  // Keras's unitForgetBias does; tfjs's own unitForgetBias leaks four tensors per layer.
  if (layer.getClassName() === 'LSTM' && rest.length === 1) {
    const bias = new Float32Array(gates);
    bias.fill(1, units, 2 * units);
    fresh.push(tf.tensor1d(bias));
    rest.length = 0;
  }
  // getWeights hands out the variables themselves: only the fresh tensors are ours to dispose.
  layer.setWeights([...fresh, ...rest]);
  tf.dispose(fresh);
}

/**
 * A `rows x cols` matrix with orthonormal rows (rows <= cols) or columns, from Gram-Schmidt on Gaussian noise.
 * tfjs's own orthogonal initializer runs a QR of many small ops and warns above 2,000 elements.
 */
export function orthogonal(rows: number, cols: number, rng: Rng): Float32Array {
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const v = Array.from({ length: n }, () => Float64Array.from({ length: len }, () => rng.normal()));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let p = 0; p < len; p++) dot += v[i][p] * v[j][p];
      for (let p = 0; p < len; p++) v[i][p] -= dot * v[j][p];
    }
    let norm = 0;
    for (let p = 0; p < len; p++) norm += v[i][p] * v[i][p];
    norm = Math.sqrt(norm) || 1;
    for (let p = 0; p < len; p++) v[i][p] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = rows <= cols ? v[r][c] : v[c][r];
  return out;
}

type Encoder = Extract<SequenceLayer, { type: 'transformerEncoder' }>;

/** Attention and feed-forward sub-blocks, each with dropout, a residual sum and a layer norm (after, or before). */
function transformerEncoder(l: Encoder, x: Sym, name: string, h: BuildHelpers): Sym {
  const width = x.shape[x.shape.length - 1] as number;
  const keySize = headSize(l.heads, l.keySize, width);
  const { MultiHeadSelfAttention } = registerNasLayers(tf);
  const norm = (s: Sym, part: string, last = false) => apply(layerNorm(last ? name : h.name(`${name}_${part}`)), s);
  const dropout = (s: Sym, part: string) => (l.dropout > 0 ? apply(tf.layers.dropout({ name: h.name(`${name}_${part}`), rate: l.dropout }), s) : s);
  const add = (a: Sym, b: Sym, part: string, last = false) => apply(tf.layers.add({ name: last ? name : h.name(`${name}_${part}`) }), [a, b]);

  let a = l.normFirst ? norm(x, 'attention_norm') : x;
  a = apply(new MultiHeadSelfAttention({ name: h.name(`${name}_attention`), heads: l.heads, keySize, seed: h.nextSeed() }), a);
  let y = add(x, dropout(a, 'attention_dropout'), 'attention_add');
  if (!l.normFirst) y = norm(y, 'attention_norm');

  let f = l.normFirst ? norm(y, 'ffn_norm') : y;
  f = apply(tf.layers.dense({ name: h.name(`${name}_ffn_1`), units: l.feedForward, activation: l.activation, kernelInitializer: h.init(l.activation) }), f);
  f = apply(tf.layers.dense({ name: h.name(`${name}_ffn_2`), units: width, kernelInitializer: h.init('linear') }), f);
  return l.normFirst ? add(y, dropout(f, 'ffn_dropout'), 'ffn_add', true) : norm(add(y, dropout(f, 'ffn_dropout'), 'ffn_add'), 'ffn_norm', true);
}
