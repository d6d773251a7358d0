// The networks `nas-studio bench` trains against PyTorch. Each is described once, as a concrete architecture the
// builder already understands; bench/torch_peer.py builds its PyTorch twin from the same JSON, so the two sides
// cannot drift (test/engine/bench-suite.test.ts holds their trainable parameter counts equal).
//
// Adding a network is one entry here plus, for a layer type the peer does not know yet, one builder function in
// torch_peer.py's LAYERS table. A sequence network reads Fashion-MNIST as 28 rows of 28 features: give it
// `inputShape: [28, 28]`.
import type { CellArch, ConcreteArch, ConcreteLayer } from '../src/shared/arch';

export interface SuiteNet {
  name: string;
  /** One line for the table and the docs. */
  description: string;
  arch: ConcreteArch;
  batch: number;
  /** Fashion-MNIST reshaped to this (default [28, 28, 1]); the peer reshapes its copy the same way. */
  inputShape?: number[];
}

export type Layer = ConcreteLayer extends infer T ? (T extends unknown ? Omit<T, 'source'> : never) : never;

export const sequential = (...layers: Layer[]): ConcreteArch => ({
  kind: 'sequential',
  layers: layers.map((l, i) => ({ ...l, source: `architecture.layers[${i}]` }) as ConcreteLayer),
});

export const conv = (filters: number, kernelSize: number, strides = 1): Layer => ({
  type: 'conv2d',
  filters,
  kernelSize,
  strides,
  padding: 'same',
  activation: 'relu',
});
export const maxPool: Layer = { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' };
export const avgPool: Layer = { type: 'averagePooling2d', poolSize: 2, strides: 2, padding: 'valid' };
export const dense = (units: number): Layer => ({ type: 'dense', units, activation: 'relu' });
export const flatten: Layer = { type: 'flatten' };
export const bn: Layer = { type: 'batchNormalization' };

/** NAS-Bench-201-style cell: node 3 sums three edges, node 2 two; conv3x3, conv1x1, skip and avgPool3x3 all used. */
const CELL: CellArch = {
  kind: 'cell',
  nodes: 4,
  edges: [
    { from: 0, to: 1, op: 'conv3x3' },
    { from: 0, to: 2, op: 'conv1x1' },
    { from: 1, to: 2, op: 'conv3x3' },
    { from: 0, to: 3, op: 'skip' },
    { from: 1, to: 3, op: 'avgPool3x3' },
    { from: 2, to: 3, op: 'conv3x3' },
  ],
  channels: 16,
  cells: 1,
  stages: 2,
};

export const SUITE: SuiteNet[] = [
  {
    name: 'reference',
    description: 'conv32 3x3 - maxpool - conv64 3x3 - maxpool - dense128, batch 128',
    arch: sequential(conv(32, 3), maxPool, conv(64, 3), maxPool, flatten, dense(128)),
    batch: 128,
  },
  {
    name: 'conv5x5',
    description: 'conv32 5x5 - maxpool - conv64 5x5 - maxpool - dense256, batch 64',
    arch: sequential(conv(32, 5), maxPool, conv(64, 5), maxPool, flatten, dense(256)),
    batch: 64,
  },
  {
    name: 'conv7x7-strided',
    description: 'conv32 7x7 stride 2 - conv64 3x3 stride 2 - conv64 5x5 - dense128, batch 128',
    arch: sequential(conv(32, 7, 2), conv(64, 3, 2), conv(64, 5), flatten, dense(128)),
    batch: 128,
  },
  {
    name: 'batchnorm',
    description: 'the reference CNN with batchNormalization after each conv, batch 128',
    arch: sequential(conv(32, 3), bn, maxPool, conv(64, 3), bn, maxPool, flatten, dense(128)),
    batch: 128,
  },
  {
    name: 'mobilenet',
    description: 'conv32 3x3 stride 2 - depthwise 3x3 - conv64 1x1 - separable128 3x3 stride 2 - global avg pool, batch 128',
    arch: sequential(
      conv(32, 3, 2),
      { type: 'depthwiseConv2d', kernelSize: 3, strides: 1, padding: 'same', depthMultiplier: 1, activation: 'relu' },
      conv(64, 1),
      { type: 'separableConv2d', filters: 128, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 1, activation: 'relu' },
      { type: 'globalAveragePooling2d' },
    ),
    batch: 128,
  },
  {
    name: 'avgpool',
    description: 'conv32 3x3 - avgpool - conv64 3x3 - avgpool - conv128 3x3 - global avg pool, batch 128',
    arch: sequential(conv(32, 3), avgPool, conv(64, 3), avgPool, conv(128, 3), { type: 'globalAveragePooling2d' }),
    batch: 128,
  },
  {
    name: 'mlp',
    description: 'dense 784-512-256-10 with dropout 0.2, batch 128',
    arch: sequential(flatten, dense(512), { type: 'dropout', rate: 0.2 }, dense(256), { type: 'dropout', rate: 0.2 }),
    batch: 128,
  },
  {
    name: 'cell',
    description: 'NAS-Bench-201 cell (conv3x3, conv1x1, skip, avgPool3x3; nodes sum their edges), 16 channels, 2 stages, batch 64',
    arch: CELL,
    batch: 64,
  },
  {
    name: 'lstm',
    description: 'lstm128 over 28 rows of 28 pixels (last step only), batch 128',
    arch: sequential({ type: 'lstm', units: 128, returnSequences: false, bidirectional: false, activation: 'tanh' }),
    batch: 128,
    inputShape: [28, 28],
  },
  {
    name: 'transformer',
    description: 'dense64 per row - learned positions - transformer encoder (4 heads, ffn 128, post-norm) - global avg pool, batch 128',
    arch: sequential(
      { type: 'dense', units: 64, activation: 'linear' },
      { type: 'positionalEmbedding', kind: 'learned' },
      { type: 'transformerEncoder', heads: 4, feedForward: 128, dropout: 0, activation: 'relu', normFirst: false },
      { type: 'globalAveragePooling1d' },
    ),
    batch: 128,
    inputShape: [28, 28],
  },
];

export function suiteNet(name: string): SuiteNet {
  const net = SUITE.find((n) => n.name === name);
  if (!net) throw new Error(`no suite network '${name}' (${SUITE.map((n) => n.name).join(', ')})`);
  return net;
}
