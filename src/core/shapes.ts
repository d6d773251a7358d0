// Output shape, parameter count and FLOPs of concrete layers and cells, for one sample (no batch axis).
// The model builder must agree with these numbers: test/engine/builder.test.ts compares them with tfjs.
import type { CellArch, CellOperation, ConcreteArch, ConcreteLayer } from '../shared/arch';
import { sequenceLayerCost, tokensError, type LayerContext } from './sequenceShapes';
import { describeShape, ShapeError, shapeKind, type Cost, type Shape } from './shapeTypes';

export { describeShape, ShapeError, type Cost, type LayerContext, type Shape };

function needMap(layer: string, input: Shape): [number, number, number] {
  if (input.length !== 3) {
    const advice = 'it must come before any flatten, dense or globalAveragePooling2d';
    throw new ShapeError(`${layer} needs a feature map [height, width, channels] but gets ${describeShape(input)}; ${advice}`, undefined, {
      summary: `${layer} needs a feature map [height, width, channels] but gets ${shapeKind(input)}; ${advice}`,
      detail: `[${input.join(', ')}]`,
      verb: 'gets ',
    });
  }
  return input as [number, number, number];
}

function spatial(h: number, w: number, k: number, s: number, padding: string, layer: string, field: string): [number, number] {
  if (padding === 'valid') {
    if (k > h || k > w) {
      throw new ShapeError(`${field} ${k} is larger than the ${h}x${w} input of this ${layer} (padding 'valid' leaves nothing)`, field, {
        summary: `${field} is larger than the input of this ${layer} (padding 'valid' leaves nothing)`,
        detail: `${field} ${k} on a ${h}x${w} input`,
      });
    }
    return [Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1];
  }
  return [Math.ceil(h / s), Math.ceil(w / s)];
}

/** `ctx` says whether the input holds token ids (only an embedding takes those) and the data's vocabulary. */
export function layerCost(layer: ConcreteLayer, input: Shape, ctx: LayerContext = {}): Cost {
  if (ctx.tokens && layer.type !== 'embedding') throw tokensError(layer.type, input);
  switch (layer.type) {
    case 'dense': {
      // On a sequence, dense works on each step (its features), as in Keras.
      if (input.length > 2) {
        const advice = 'add flatten or globalAveragePooling2d before it';
        throw new ShapeError(`dense needs a vector but gets ${describeShape(input)}; ${advice}`, undefined, {
          summary: `dense needs a vector but gets ${shapeKind(input)}; ${advice}`,
          detail: `[${input.join(', ')}]`,
          verb: 'gets ',
        });
      }
      const f = input[input.length - 1];
      const steps = input.length === 2 ? input[0] : 1;
      return { out: [...input.slice(0, -1), layer.units], params: f * layer.units + layer.units, flops: 2 * steps * f * layer.units };
    }
    case 'conv2d': {
      const [h, w, c] = needMap('conv2d', input);
      const [oh, ow] = spatial(h, w, layer.kernelSize, layer.strides, layer.padding, 'conv2d', 'kernelSize');
      const k2 = layer.kernelSize * layer.kernelSize;
      return { out: [oh, ow, layer.filters], params: k2 * c * layer.filters + layer.filters, flops: 2 * k2 * c * layer.filters * oh * ow };
    }
    case 'separableConv2d': {
      const [h, w, c] = needMap('separableConv2d', input);
      const [oh, ow] = spatial(h, w, layer.kernelSize, layer.strides, layer.padding, 'separableConv2d', 'kernelSize');
      const k2 = layer.kernelSize * layer.kernelSize;
      const mid = c * layer.depthMultiplier;
      return {
        out: [oh, ow, layer.filters],
        params: k2 * mid + mid * layer.filters + layer.filters,
        flops: 2 * oh * ow * (k2 * mid + mid * layer.filters),
      };
    }
    case 'depthwiseConv2d': {
      const [h, w, c] = needMap('depthwiseConv2d', input);
      const [oh, ow] = spatial(h, w, layer.kernelSize, layer.strides, layer.padding, 'depthwiseConv2d', 'kernelSize');
      const mid = c * layer.depthMultiplier;
      const k2 = layer.kernelSize * layer.kernelSize;
      return { out: [oh, ow, mid], params: k2 * mid + mid, flops: 2 * oh * ow * k2 * mid };
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const [h, w, c] = needMap(layer.type, input);
      const [oh, ow] = spatial(h, w, layer.poolSize, layer.strides, layer.padding, layer.type, 'poolSize');
      return { out: [oh, ow, c], params: 0, flops: oh * ow * c * layer.poolSize * layer.poolSize };
    }
    case 'globalAveragePooling2d': {
      const [h, w, c] = needMap('globalAveragePooling2d', input);
      return { out: [c], params: 0, flops: h * w * c };
    }
    case 'flatten':
      return { out: [input.reduce((a, b) => a * b, 1)], params: 0, flops: 0 };
    case 'batchNormalization': {
      const c = input[input.length - 1];
      // gamma, beta, moving mean and moving variance: tfjs counts all four
      return { out: input, params: 4 * c, flops: 4 * input.reduce((a, b) => a * b, 1) };
    }
    case 'dropout':
    case 'activation':
      return { out: input, params: 0, flops: layer.type === 'activation' ? input.reduce((a, b) => a * b, 1) : 0 };
    default:
      return sequenceLayerCost(layer, input, ctx);
  }
}

/** Cost of the output layer the builder appends: flatten a feature map, then dense to the outputs. */
export function headCost(input: Shape, outputs: number): Cost {
  const n = input.reduce((a, b) => a * b, 1);
  return { out: [outputs], params: n * outputs + outputs, flops: 2 * n * outputs };
}

export function sequentialCost(layers: ConcreteLayer[], input: Shape, outputs: number, data: DataContext = {}): Cost & { shapes: Shape[] } {
  let shape = input;
  let params = 0;
  let flops = 0;
  const shapes: Shape[] = [];
  for (const [i, l] of layers.entries()) {
    const c = layerCost(l, shape, inputContext(data, i === 0));
    shape = c.out;
    params += c.params;
    flops += c.flops;
    shapes.push(shape);
  }
  const head = headCost(shape, outputs);
  return { out: head.out, params: params + head.params, flops: flops + head.flops, shapes };
}

/** Parameters and FLOPs of one cell operation on a [h, w, c] map (stride 1, shape-preserving). */
export function opCost(op: CellOperation, h: number, w: number, c: number): { params: number; flops: number } {
  const hw = h * w;
  switch (op) {
    case 'none':
    case 'skip':
      return { params: 0, flops: 0 };
    case 'conv1x1':
      return { params: c * c + 4 * c, flops: 2 * c * c * hw };
    case 'conv3x3':
      return { params: 9 * c * c + 4 * c, flops: 18 * c * c * hw };
    case 'sepConv3x3':
      return { params: 9 * c + c * c + 4 * c, flops: 2 * hw * (9 * c + c * c) };
    case 'avgPool3x3':
    case 'maxPool3x3':
      return { params: 0, flops: 9 * c * hw };
  }
}

/** Nodes reachable from the cell input through edges that are not `none`. */
export function liveNodes(arch: Pick<CellArch, 'nodes' | 'edges'>): boolean[] {
  const live = Array.from({ length: arch.nodes }, (_, i) => i === 0);
  for (let j = 1; j < arch.nodes; j++) live[j] = arch.edges.some((e) => e.to === j && e.op !== 'none' && live[e.from]);
  return live;
}

/** Nodes from which some non-`none` path leads to the cell output. */
export function outputNodes(arch: Pick<CellArch, 'nodes' | 'edges'>): boolean[] {
  const leads = Array.from({ length: arch.nodes }, (_, i) => i === arch.nodes - 1);
  for (let i = arch.nodes - 2; i >= 0; i--) leads[i] = arch.edges.some((e) => e.from === i && e.op !== 'none' && leads[e.to]);
  return leads;
}

/** Edges that carry data from the input to the output. Others are left out of the model: tfjs would drop a
 *  layer that feeds nothing, so counting it would disagree with the built model. */
export function liveEdges(arch: Pick<CellArch, 'nodes' | 'edges'>) {
  const live = liveNodes(arch);
  const leads = outputNodes(arch);
  return arch.edges.filter((e) => e.op !== 'none' && live[e.from] && leads[e.to]);
}

/**
 * A cell network's cost split in two: what every cell of the space pays (stem, reductions, head), and what one
 * live edge of each operation adds (that edge in every cell of every stage). A cell's cost is the first plus
 * the second summed over its live edges, which lets the checker bound a space without building each cell.
 */
export interface CellCostFrame {
  out: Shape;
  base: { params: number; flops: number };
  edge(op: CellOperation): { params: number; flops: number };
}

export function cellCostFrame(arch: Pick<CellArch, 'channels' | 'cells' | 'stages'>, input: Shape, outputs: number): CellCostFrame {
  const [h0, w0, cin] = needMap('a cell space', input);
  let h = h0;
  let w = w0;
  let c = arch.channels;
  // stem: conv3x3 without bias, then batch norm
  let params = 9 * cin * c + 4 * c;
  let flops = 18 * cin * c * h * w;
  const maps: [number, number, number][] = [];
  for (let s = 0; s < arch.stages; s++) {
    if (s > 0) {
      const cp = c;
      c *= 2;
      const oh = Math.ceil(h / 2);
      const ow = Math.ceil(w / 2);
      // residual reduction: conv3x3/2-BN-ReLU-conv3x3-BN, shortcut avgpool2/2 then conv1x1
      params += 9 * cp * c + 4 * c + 9 * c * c + 4 * c + cp * c;
      flops += 2 * oh * ow * (9 * cp * c + 9 * c * c + cp * c);
      h = oh;
      w = ow;
    }
    maps.push([h, w, c]);
  }
  const head = headCost([c], outputs);
  return {
    out: head.out,
    base: { params: params + head.params, flops: flops + h * w * c + head.flops },
    edge(op) {
      let p = 0;
      let f = 0;
      for (const [mh, mw, mc] of maps) {
        const oc = opCost(op, mh, mw, mc);
        p += arch.cells * oc.params;
        f += arch.cells * oc.flops;
      }
      return { params: p, flops: f };
    },
  };
}

export function cellCost(arch: CellArch, input: Shape, outputs: number): Cost {
  needMap('a cell space', input);
  if (!liveNodes(arch)[arch.nodes - 1])
    throw new ShapeError('this cell has no path from its input to its output (every edge into the output is `none` or dead)');
  const frame = cellCostFrame(arch, input, outputs);
  let { params, flops } = frame.base;
  for (const e of liveEdges(arch)) {
    const oc = frame.edge(e.op);
    params += oc.params;
    flops += oc.flops;
  }
  return { out: frame.out, params, flops };
}

export function archCost(arch: ConcreteArch, input: Shape, outputs: number, data: DataContext = {}): Cost {
  return arch.kind === 'cell' ? cellCost(arch, input, outputs) : sequentialCost(arch.layers, input, outputs, data);
}

/** What the data says about the network input beyond its shape. */
export interface DataContext {
  /** The input holds token ids below this. */
  vocabulary?: number;
}

/** The context of a layer: token ids reach only the first one. */
export function inputContext(data: DataContext, first: boolean): LayerContext {
  return { vocabulary: data.vocabulary, tokens: first && data.vocabulary !== undefined };
}
