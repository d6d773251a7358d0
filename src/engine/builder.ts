// Turns a concrete architecture into a tfjs LayersModel. Pure: no training, no I/O. Parameter counts must
// equal src/core/shapes.ts (the checker reports those before anything is built), and test/engine/builder.test.ts
// holds the two to each other.
import * as tf from '@tensorflow/tfjs';
import type { ActivationName, CellArch, CellEdge, ConcreteArch, ConcreteLayer, SequenceLayer } from '../shared/arch';
import { liveEdges, ShapeError, type DataContext } from '../core/shapes';
import { pairConvPool } from './kernels/convPool';
import { applySequenceLayer, isSequenceLayer, SequenceBuildError, type BuildHelpers } from './sequenceBuilder';

export type Task = 'classification' | 'regression';

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Without the batch axis. */
  outputShape: number[];
  params: number;
}

/** A valid, readable tfjs layer name for a spec path: `architecture.layers[2].options[1]` -> `layers_2_options_1`. */
export function layerName(source: string): string {
  return source
    .replace(/^architecture\./, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Hands out unique names and per-layer seeds, both in build order, so a rebuild reproduces both exactly. */
class Namer {
  private used = new Set<string>();
  private index = 0;
  constructor(private readonly seed: number) {}

  name(base: string): string {
    // tfjs rejects names that start with anything but a letter or digit
    let n = /^[A-Za-z0-9]/.test(base) ? base : `l_${base}`;
    if (this.used.has(n)) {
      let k = 2;
      while (this.used.has(`${n}_${k}`)) k++;
      n = `${n}_${k}`;
    }
    this.used.add(n);
    return n;
  }

  /** A seed in [1, 2^31 - 1] from (model seed, running index): splitmix-style mixing so neighbours differ. */
  nextSeed(): number {
    let z = (Math.imul(Math.trunc(this.seed) | 0, 0x9e3779b1) + Math.imul(++this.index, 0x85ebca6b)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return (z % 0x7ffffffe) + 1;
  }
}

const RELU_LIKE = new Set<ActivationName>(['relu', 'relu6', 'elu', 'selu', 'swish', 'softplus']);

/** He init keeps ReLU-family signals from shrinking layer by layer; Glorot suits symmetric/linear units. */
function init(n: Namer, activation: ActivationName | 'gelu' | 'softmax'): ReturnType<typeof tf.initializers.heNormal> {
  const seed = n.nextSeed();
  return RELU_LIKE.has(activation as ActivationName) ? tf.initializers.heNormal({ seed }) : tf.initializers.glorotUniform({ seed });
}

function sequentialLayer(l: Exclude<ConcreteLayer, SequenceLayer>, name: string, n: Namer): tf.layers.Layer {
  switch (l.type) {
    case 'dense':
      return tf.layers.dense({ name, units: l.units, activation: l.activation, kernelInitializer: init(n, l.activation) });
    case 'conv2d':
      return tf.layers.conv2d({
        name,
        filters: l.filters,
        kernelSize: l.kernelSize,
        strides: l.strides,
        padding: l.padding,
        activation: l.activation,
        kernelInitializer: init(n, l.activation),
      });
    case 'separableConv2d':
      return tf.layers.separableConv2d({
        name,
        filters: l.filters,
        kernelSize: l.kernelSize,
        strides: l.strides,
        padding: l.padding,
        depthMultiplier: l.depthMultiplier,
        activation: l.activation,
        depthwiseInitializer: init(n, 'linear'),
        pointwiseInitializer: init(n, l.activation),
      });
    case 'depthwiseConv2d':
      return tf.layers.depthwiseConv2d({
        name,
        kernelSize: l.kernelSize,
        strides: l.strides,
        padding: l.padding,
        depthMultiplier: l.depthMultiplier,
        activation: l.activation,
        depthwiseInitializer: init(n, l.activation),
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({ name, poolSize: l.poolSize, strides: l.strides, padding: l.padding });
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({ name, poolSize: l.poolSize, strides: l.strides, padding: l.padding });
    case 'globalAveragePooling2d':
      return tf.layers.globalAveragePooling2d({ name });
    case 'batchNormalization':
      return tf.layers.batchNormalization({ name });
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'dropout':
      // Unseeded on purpose: a fixed dropout seed makes tfjs draw the same mask on every batch.
      return tf.layers.dropout({ name, rate: l.rate });
    case 'activation':
      return tf.layers.activation({ name, activation: l.activation });
  }
}

type Sym = tf.SymbolicTensor;

function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/**
 * The cell network's batch norm keeps its moving averages with momentum 0.9 (PyTorch's 0.1, NAS-Bench-201's
 * setting), not Keras' 0.99: a NAS trial trains a few epochs of a few dozen steps, after which 0.99's averages
 * still hold most of their initial 0 and 1, and validation (inference mode) scored chance while training
 * accuracy was 0.99 (examples/cells.nas.json, 3 epochs of 19 steps).
 */
function cellBn(name: string, n: Namer): tf.layers.Layer {
  return tf.layers.batchNormalization({ name: n.name(name), momentum: 0.9 });
}

/** Convolution without bias, then batch norm (the norm's beta makes a bias redundant), as opCost counts it. */
function convBn(x: Sym, filters: number, kernelSize: number, strides: number, prefix: string, n: Namer): Sym {
  const conv = tf.layers.conv2d({
    name: n.name(`${prefix}_conv`),
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: init(n, 'relu'),
  });
  return apply(cellBn(`${prefix}_bn`, n), apply(conv, x));
}

function relu(x: Sym, prefix: string, n: Namer): Sym {
  return apply(tf.layers.reLU({ name: n.name(`${prefix}_relu`) }), x);
}

/** One cell operation: NAS-Bench-201's ReLU-Conv-BN, with stride 1 and 'same' padding so shapes are kept. */
function cellOp(e: CellEdge, x: Sym, c: number, prefix: string, n: Namer): Sym {
  switch (e.op) {
    case 'skip':
      return x;
    case 'conv1x1':
      return convBn(relu(x, prefix, n), c, 1, 1, prefix, n);
    case 'conv3x3':
      return convBn(relu(x, prefix, n), c, 3, 1, prefix, n);
    case 'sepConv3x3': {
      const sep = tf.layers.separableConv2d({
        name: n.name(`${prefix}_sep`),
        filters: c,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: init(n, 'linear'),
        pointwiseInitializer: init(n, 'relu'),
      });
      return apply(cellBn(`${prefix}_bn`, n), apply(sep, relu(x, prefix, n)));
    }
    case 'avgPool3x3':
      return apply(tf.layers.averagePooling2d({ name: n.name(`${prefix}_avgpool`), poolSize: 3, strides: 1, padding: 'same' }), x);
    case 'maxPool3x3':
      return apply(tf.layers.maxPooling2d({ name: n.name(`${prefix}_maxpool`), poolSize: 3, strides: 1, padding: 'same' }), x);
    case 'none':
      throw new BuildError('internal: a `none` edge reached the builder');
  }
}

/** Edges that can influence the output; the checker's cost model uses the same rule. */
export const usedEdges = (arch: Pick<CellArch, 'nodes' | 'edges'>): CellEdge[] => liveEdges(arch);

function cell(x: Sym, arch: CellArch, edges: CellEdge[], c: number, prefix: string, n: Namer): Sym {
  const node: Sym[] = [x];
  for (let j = 1; j < arch.nodes; j++) {
    const ins = edges.filter((e) => e.to === j).map((e) => cellOp(e, node[e.from], c, `${prefix}_e${e.from}${e.to}_${e.op}`, n));
    // Unused nodes stay undefined; usedEdges guarantees no used edge reads one.
    if (ins.length === 1) node[j] = ins[0];
    else if (ins.length > 1) node[j] = apply(tf.layers.add({ name: n.name(`${prefix}_n${j}_add`) }), ins);
  }
  return node[arch.nodes - 1];
}

/** ResNet basic block with stride 2 that doubles the channels between stages (NAS-Bench-201's reduction). */
function reduction(x: Sym, c: number, prefix: string, n: Namer): Sym {
  let r = convBn(relu(x, `${prefix}_a`, n), c, 3, 2, `${prefix}_a`, n);
  r = convBn(relu(r, `${prefix}_b`, n), c, 3, 1, `${prefix}_b`, n);
  let s = apply(tf.layers.averagePooling2d({ name: n.name(`${prefix}_short_pool`), poolSize: 2, strides: 2, padding: 'same' }), x);
  s = apply(tf.layers.conv2d({ name: n.name(`${prefix}_short_conv`), filters: c, kernelSize: 1, useBias: false, kernelInitializer: init(n, 'linear') }), s);
  return apply(tf.layers.add({ name: n.name(`${prefix}_add`) }), [r, s]);
}

function head(x: Sym, outputs: number, task: Task, n: Namer): Sym {
  const shape = x.shape.slice(1);
  if (shape.length > 1) x = apply(tf.layers.flatten({ name: n.name('head_flatten') }), x);
  const activation = task === 'classification' ? 'softmax' : 'linear';
  return apply(tf.layers.dense({ name: n.name('head_dense'), units: outputs, activation, kernelInitializer: init(n, activation) }), x);
}

function buildSequential(layers: ConcreteLayer[], x: Sym, n: Namer, data: DataContext): Sym {
  const helpers: BuildHelpers = {
    name: (base) => n.name(base),
    nextSeed: () => n.nextSeed(),
    init: (activation) => init(n, activation),
    vocabulary: data.vocabulary,
  };
  let previous: tf.layers.Layer | undefined;
  layers.forEach((l, i) => {
    const name = n.name(layerName(l.source) || `${l.type}_${i}`);
    if (isSequenceLayer(l)) {
      x = applySequenceLayer(l, x, name, helpers);
      previous = undefined;
      return;
    }
    // shapes.ts lets flatten pass a vector through unchanged, but tfjs's Flatten rejects rank < 3; a reshape
    // to the same vector keeps the layer (and its name) in the model at no cost.
    const layer = l.type === 'flatten' && x.shape.length === 2 ? tf.layers.reshape({ name, targetShape: [x.shape[1] as number] }) : sequentialLayer(l, name, n);
    // The conv's output feeds this pool alone: its bias and ReLU can run after the pool (kernels/convPool.ts).
    if (previous && l.type === 'maxPooling2d') pairConvPool(previous, layer);
    x = apply(layer, x);
    previous = layer;
  });
  return x;
}

function buildCells(arch: CellArch, x: Sym, n: Namer): Sym {
  if (x.shape.length !== 4) throw new BuildError(`a cell space needs a feature map input [height, width, channels], got [${x.shape.slice(1).join(', ')}]`);
  const edges = usedEdges(arch);
  if (!edges.some((e) => e.to === arch.nodes - 1)) {
    throw new BuildError('this cell has no path from its input to its output (every edge into the output is `none` or dead)');
  }
  let c = arch.channels;
  x = convBn(x, c, 3, 1, 'stem', n);
  for (let s = 0; s < arch.stages; s++) {
    if (s > 0) {
      x = reduction(x, c * 2, `s${s}_reduce`, n);
      c *= 2;
    }
    for (let k = 0; k < arch.cells; k++) x = cell(x, arch, edges, c, `s${s}_c${k}`, n);
  }
  // Cell outputs are sums of BN outputs; a ReLU before pooling is NAS-Bench-201's `lastact` minus its BN.
  x = relu(x, 'head', n);
  return apply(tf.layers.globalAveragePooling2d({ name: n.name('head_gap') }), x);
}

/**
 * Builds the model for one trial. `outputs` is the number of classes (softmax head) or regression targets
 * (linear head, normally 1). Same arguments -> same initial weights: every initializer gets a seed derived from
 * `seed` and the layer's position. Throws BuildError for architectures that cannot be built.
 */
export function buildModel(arch: ConcreteArch, inputShape: number[], outputs: number, task: Task, seed: number, data: DataContext = {}): tf.LayersModel {
  if (task === 'classification' && outputs < 2) throw new BuildError(`classification needs at least 2 outputs (one-hot classes), got ${outputs}`);
  if (outputs < 1) throw new BuildError(`the model needs at least one output, got ${outputs}`);
  const n = new Namer(seed);
  const input = tf.input({ shape: inputShape, name: n.name('input') });
  const variables = () => tf.engine().state.registeredVariables;
  const before = new Set(Object.keys(variables()));
  try {
    const body = arch.kind === 'cell' ? buildCells(arch, input, n) : buildSequential(arch.layers, input, n, data);
    return tf.model({ inputs: input, outputs: head(body, outputs, task, n), name: 'nas_model' });
  } catch (e) {
    // Layers built before the failure hold weights that no model will ever dispose.
    for (const [key, v] of Object.entries(variables())) if (!before.has(key)) v.dispose();
    if (e instanceof SequenceBuildError || e instanceof ShapeError) throw new BuildError(e.message);
    throw e;
  }
}

/**
 * Layers alone, without a head: one candidate (or fixed run of layers) of a DARTS supernet. Seeded and named
 * as buildModel does, so the same arguments give the same initial weights.
 */
export function buildSegment(layers: ConcreteLayer[], inputShape: number[], seed: number, data: DataContext = {}): tf.LayersModel {
  const n = new Namer(seed);
  const input = tf.input({ shape: inputShape, name: n.name('input') });
  try {
    return tf.model({ inputs: input, outputs: buildSequential(layers, input, n, data), name: n.name('segment') });
  } catch (e) {
    if (e instanceof SequenceBuildError || e instanceof ShapeError) throw new BuildError(e.message);
    throw e;
  }
}

/** One row per layer (input layer included), for diagrams and the trial details view. */
export function modelSummary(model: tf.LayersModel): LayerSummary[] {
  return model.layers.map((l) => {
    const shape = l.outputShape;
    const first = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    return { name: l.name, className: l.getClassName(), outputShape: first.slice(1).map((d) => d ?? -1), params: l.countParams() };
  });
}
