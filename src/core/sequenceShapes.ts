// Output shape, parameter count and FLOPs of the sequence layers, for one sample: a sequence is
// `[steps, features]`, token ids are `[steps]`. Counted as tfjs builds them (src/engine/builder.ts and
// src/engine/layers/): test/engine/builder.test.ts compares the two.
import type { SequenceLayer } from '../shared/arch';
import { describeShape, ShapeError, type Cost, type Shape } from './shapeTypes';

/** What a layer needs to know about where it sits that its input shape does not say. */
export interface LayerContext {
  /** The input holds token ids (the raw input of a text or token dataset). */
  tokens?: boolean;
  /** Token ids are below this (the dataset's vocabulary), when the data has one. */
  vocabulary?: number;
}

const GATES = { lstm: 4, gru: 3, simpleRnn: 1 } as const;
/** Elementwise work per unit and step beyond the matrix products (gate activations, products, sums). */
const GATE_FLOPS = { lstm: 10, gru: 9, simpleRnn: 2 } as const;

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

export function tokensError(layer: string, input: Shape): ShapeError {
  return new ShapeError(`${layer} gets token ids [${input.join(', ')}]: start with an embedding layer that turns them into vectors`);
}

export function needSequence(layer: string, input: Shape): [number, number] {
  if (input.length !== 2) {
    throw new ShapeError(
      `${layer} needs a sequence [steps, features] but gets ${describeShape(input)}; it must come before any flatten, global pooling or recurrent layer without returnSequences`,
    );
  }
  return input as [number, number];
}

/** Output length of a window of `span` steps moved by `strides`. */
function steps(len: number, span: number, strides: number, padding: string, layer: string, field: string, what: string): number {
  if (padding === 'valid') {
    if (span > len) throw new ShapeError(`${field} ${what} is longer than the ${len}-step sequence into this ${layer} (padding 'valid' leaves nothing)`, field);
    return Math.floor((len - span) / strides) + 1;
  }
  return Math.ceil(len / strides);
}

export function sequenceLayerCost(layer: SequenceLayer, input: Shape, ctx: LayerContext): Cost {
  if (layer.type === 'embedding') return embeddingCost(layer, input, ctx);
  if (ctx.tokens) throw tokensError(layer.type, input);
  switch (layer.type) {
    case 'lstm':
    case 'gru':
    case 'simpleRnn': {
      const [t, f] = needSequence(layer.type, input);
      const u = layer.units;
      const g = GATES[layer.type];
      const dirs = layer.bidirectional ? 2 : 1;
      const out = layer.returnSequences ? [t, dirs * u] : [dirs * u];
      return { out, params: dirs * g * (f * u + u * u + u), flops: dirs * t * (2 * g * u * (f + u) + GATE_FLOPS[layer.type] * u) };
    }
    case 'conv1d': {
      const [t, c] = needSequence('conv1d', input);
      if (layer.dilationRate > 1 && layer.strides > 1) {
        throw new ShapeError(
          `dilationRate ${layer.dilationRate} needs strides 1 in conv1d (tfjs cannot combine dilation with a stride of ${layer.strides})`,
          'dilationRate',
        );
      }
      const span = (layer.kernelSize - 1) * layer.dilationRate + 1;
      const what = layer.dilationRate > 1 ? `${layer.kernelSize} (spanning ${span} steps at dilationRate ${layer.dilationRate})` : `${layer.kernelSize}`;
      const ot = steps(t, span, layer.strides, layer.padding, 'conv1d', 'kernelSize', what);
      return { out: [ot, layer.filters], params: layer.kernelSize * c * layer.filters + layer.filters, flops: 2 * layer.kernelSize * c * layer.filters * ot };
    }
    case 'maxPooling1d':
    case 'averagePooling1d': {
      const [t, c] = needSequence(layer.type, input);
      const ot = steps(t, layer.poolSize, layer.strides, layer.padding, layer.type, 'poolSize', `${layer.poolSize}`);
      return { out: [ot, c], params: 0, flops: ot * c * layer.poolSize };
    }
    case 'globalAveragePooling1d':
    case 'globalMaxPooling1d': {
      const [t, c] = needSequence(layer.type, input);
      return { out: [c], params: 0, flops: t * c };
    }
    case 'layerNormalization':
      // gamma and beta over the last axis
      return { out: input, params: 2 * input[input.length - 1], flops: 8 * size(input) };
    case 'positionalEmbedding': {
      const [t, f] = needSequence('positionalEmbedding', input);
      return { out: input, params: layer.kind === 'learned' ? t * f : 0, flops: t * f };
    }
    case 'transformerEncoder':
      return transformerCost(layer, input);
  }
}

function embeddingCost(layer: Extract<SequenceLayer, { type: 'embedding' }>, input: Shape, ctx: LayerContext): Cost {
  if (input.length !== 1 || (!ctx.tokens && layer.inputDim === undefined)) {
    throw new ShapeError(
      ctx.vocabulary === undefined && input.length === 1
        ? `embedding needs token ids, but the data gives numbers: use a text dataset or a token generator, or set inputDim if the values are ids`
        : `embedding needs token ids [steps] and must be the first layer, but gets ${describeShape(input)}`,
    );
  }
  const vocab = layer.inputDim ?? ctx.vocabulary!;
  if (layer.inputDim !== undefined && ctx.vocabulary !== undefined && layer.inputDim < ctx.vocabulary) {
    throw new ShapeError(`inputDim ${layer.inputDim} is smaller than the vocabulary of ${ctx.vocabulary} token ids the data produces`, 'inputDim');
  }
  return { out: [input[0], layer.outputDim], params: vocab * layer.outputDim, flops: input[0] * layer.outputDim };
}

/** Width of each head: `keySize`, else the model width split evenly between the heads. */
export function headSize(heads: number, keySize: number | undefined, width: number): number {
  if (keySize !== undefined) return keySize;
  if (heads > width || width % heads !== 0) {
    throw new ShapeError(
      `heads ${heads} do not divide the width ${width} of the sequence into this transformerEncoder: choose heads that divide ${width}, or set keySize`,
      'heads',
    );
  }
  return width / heads;
}

function transformerCost(layer: Extract<SequenceLayer, { type: 'transformerEncoder' }>, input: Shape): Cost {
  const [t, d] = needSequence('transformerEncoder', input);
  const h = layer.heads;
  const k = headSize(h, layer.keySize, d);
  const hk = h * k;
  const ff = layer.feedForward;
  // query, key and value projections with biases; the output projection back to d; two layer norms; the
  // feed-forward network d -> ff -> d
  const params = 3 * (d * hk + hk) + (hk * d + d) + 2 * (2 * d) + (d * ff + ff) + (ff * d + d);
  const attention = 2 * t * d * hk * 4 + 2 * 2 * t * t * hk + 5 * h * t * t;
  const feedForward = 2 * 2 * t * d * ff;
  return { out: input, params, flops: attention + feedForward + 20 * t * d };
}
