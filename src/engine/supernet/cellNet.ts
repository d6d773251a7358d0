// The supernet of a cell space, written with plain tf ops: the stem, reductions and head of the model
// builder's cell network (NAS-Bench-201's macro skeleton), with every cell edge a mixed operation over all
// the space's operations. Alpha is shared by every cell, as DARTS shares it across its normal cells.
// Batch norm here has no scale or shift and always uses the batch's statistics (DARTS' search setting):
// the supernet is only trained to rank operations, never exported.
import * as tf from '@tensorflow/tfjs';
import type { CellOperation } from '../../shared/arch';
import type { CellSupernet } from '../../shared/supernet';
import { normalize, UnitAffine } from './batchNorm';
import { Seeds } from './init';
import { type Mix, mixingWeights, sumAll, weightedSum } from './mixed';
import type { SupernetNet } from './net';

/** A part of the network; `mix` holds each edge's softmax(alpha) for this forward pass. */
type Op = (x: tf.Tensor4D, mix: Mix[]) => tf.Tensor4D;
/** A cell edge with its index (that of its alpha) and, per operation (in the space's order), that candidate's variables. */
type Edge = CellSupernet['edges'][number] & { index: number; weights: tf.Variable[][] };

export class CellNet implements SupernetNet {
  readonly weights: tf.Variable[] = [];
  readonly alphas: tf.Variable[] = [];
  private readonly body: Op;
  private readonly dense: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly unit = new UnitAffine();

  constructor(space: CellSupernet, inputShape: number[], outputs: number, seed: number) {
    if (inputShape.length !== 3) throw new Error(`a cell space needs a feature map input [height, width, channels], got [${inputShape.join(', ')}]`);
    const seeds = new Seeds(seed);
    const w = (shape: number[]) => {
      const v = seeds.he(shape);
      this.weights.push(v);
      return v;
    };
    for (let e = 0; e < space.edges.length; e++) this.alphas.push(seeds.alpha(space.operations.length));
    let c = space.channels;
    const stem = w([3, 3, inputShape[2], c]);
    const parts: Op[] = [(x) => this.bn(tf.conv2d(x, stem as tf.Tensor4D, 1, 'same'))];
    for (let s = 0; s < space.stages; s++) {
      if (s > 0) {
        parts.push(this.reduction(c, c * 2, w));
        c *= 2;
      }
      for (let k = 0; k < space.cells; k++) parts.push(this.cell(space, c, w));
    }
    this.body = (x, mix) => parts.reduce((h, f) => f(h, mix), x);
    this.dense = w([c, outputs]);
    this.bias = seeds.zeros([outputs]);
    this.weights.push(this.bias);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // Every cell shares alpha, so each edge's softmax is taken once here rather than once per cell.
      const mix = this.alphas.map((a) => mixingWeights(a as tf.Tensor1D));
      const h = tf.mean(tf.relu(this.body(x as tf.Tensor4D, mix)), [1, 2]) as tf.Tensor2D;
      return tf.add(tf.matMul(h, this.dense as tf.Tensor2D), this.bias);
    });
  }

  private readonly bn = <T extends tf.Tensor>(x: T): T => normalize(x, undefined, this.unit);

  /** The variables of one candidate on one edge (none for the operations without weights). */
  private weightsOf(op: CellOperation, c: number, w: (shape: number[]) => tf.Variable): tf.Variable[] {
    switch (op) {
      case 'conv1x1':
        return [w([1, 1, c, c])];
      case 'conv3x3':
        return [w([3, 3, c, c])];
      case 'sepConv3x3':
        return [w([3, 3, c, 1]), w([1, 1, c, c])];
      default:
        return [];
    }
  }

  /**
   * Every candidate's output on each of `edges`, which all leave the node `x`: the node's ReLU and pooling
   * are computed once for all of them. (Running each convolution kind once with the edges' kernels side by
   * side measured no faster at these sizes on wasm: the concat and split cost what the shared im2col saved.)
   */
  private candidates(x: tf.Tensor4D, edges: Edge[], operations: CellOperation[]): (tf.Tensor | null)[][] {
    const out = edges.map(() => operations.map((): tf.Tensor | null => null));
    let r: tf.Tensor4D | undefined;
    const relu = () => (r ??= tf.relu(x));
    operations.forEach((op, k) => {
      switch (op) {
        case 'none':
          return;
        case 'skip':
          edges.forEach((_, i) => (out[i][k] = x));
          return;
        case 'avgPool3x3':
        case 'maxPool3x3': {
          const y = op === 'avgPool3x3' ? tf.avgPool(x, 3, 1, 'same') : tf.maxPool(x, 3, 1, 'same');
          edges.forEach((_, i) => (out[i][k] = y));
          return;
        }
        case 'conv1x1':
        case 'conv3x3': {
          edges.forEach((e, i) => (out[i][k] = this.bn(tf.conv2d(relu(), e.weights[k][0] as tf.Tensor4D, 1, 'same'))));
          return;
        }
        case 'sepConv3x3':
          edges.forEach((e, i) => {
            const [depth, point] = e.weights[k] as tf.Tensor4D[];
            out[i][k] = this.bn(tf.separableConv2d(relu(), depth, point, 1, 'same'));
          });
          return;
      }
    });
    return out;
  }

  private cell(space: CellSupernet, c: number, w: (shape: number[]) => tf.Variable): Op {
    const edges: Edge[] = space.edges.map((e, i) => ({ ...e, index: i, weights: space.operations.map((op) => this.weightsOf(op, c, w)) }));
    return (x, mix) => {
      const node: tf.Tensor4D[] = [x];
      const ins: tf.Tensor[][] = Array.from({ length: space.nodes }, () => []);
      for (let j = 0; j < space.nodes - 1; j++) {
        // Every edge into node j leaves an earlier node, so node j is complete here.
        if (j > 0) node[j] = sumAll(ins[j]) as tf.Tensor4D;
        const out = edges.filter((e) => e.from === j);
        const outputs = this.candidates(node[j], out, space.operations);
        out.forEach((e, i) => ins[e.to].push(weightedSum(mix[e.index], outputs[i])));
      }
      return sumAll(ins[space.nodes - 1]) as tf.Tensor4D;
    };
  }

  /** The builder's residual reduction: conv3x3/2-BN-ReLU-conv3x3-BN plus avgpool2/2-conv1x1. */
  private reduction(cin: number, c: number, w: (shape: number[]) => tf.Variable): Op {
    const a = w([3, 3, cin, c]) as tf.Tensor4D;
    const b = w([3, 3, c, c]) as tf.Tensor4D;
    const short = w([1, 1, cin, c]) as tf.Tensor4D;
    return (x) => {
      const r = this.bn(tf.conv2d(tf.relu(this.bn(tf.conv2d(tf.relu(x), a, 2, 'same'))), b, 1, 'same'));
      return tf.add(r, tf.conv2d(tf.avgPool(x, 2, 2, 'same'), short, 1, 'same'));
    };
  }

  dispose(): void {
    for (const v of [...this.weights, ...this.alphas]) v.dispose();
    this.unit.dispose();
  }
}
