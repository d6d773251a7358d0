// The supernet of a sequential space: fixed runs of layers and, at every layer choice, one small model per
// option whose outputs are mixed. The layers are the model builder's own (buildSegment), so a candidate in
// the supernet is the same layer the derived network is later built from.
import * as tf from '@tensorflow/tfjs';
import type { SequentialSupernet } from '../../shared/supernet';
import type { DataContext } from '../../core/shapes';
import { buildSegment } from '../builder';
import { Seeds } from './init';
import { mixedOp } from './mixed';
import type { SupernetNet } from './net';

type Step = (x: tf.Tensor, training: boolean) => tf.Tensor;

export class SequentialNet implements SupernetNet {
  readonly alphas: tf.Variable[] = [];
  private readonly segments: tf.LayersModel[] = [];
  private readonly steps: Step[] = [];
  private readonly dense: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(space: SequentialSupernet, inputShape: number[], outputs: number, seed: number, data: DataContext = {}) {
    const seeds = new Seeds(seed);
    let shape = inputShape;
    const segment = (layers: Parameters<typeof buildSegment>[0]) => {
      const m = buildSegment(layers, shape, seeds.next(), data);
      this.segments.push(m);
      return m;
    };
    try {
      space.positions.forEach((pos) => {
        if (pos.kind === 'fixed') {
          const m = segment(pos.layers);
          this.steps.push((x, training) => m.apply(x, { training }) as tf.Tensor);
          shape = outShape(m);
          return;
        }
        const alpha = seeds.alpha(pos.options.length);
        this.alphas.push(alpha);
        const models = pos.options.map((layers) => segment(layers));
        this.steps.push((x, training) =>
          mixedOp(
            alpha as tf.Tensor1D,
            models.map((m) => m.apply(x, { training }) as tf.Tensor),
          ),
        );
        shape = outShape(models[0]);
      });
    } catch (e) {
      this.dispose();
      throw e;
    }
    const features = shape.reduce((a, b) => a * b, 1);
    this.dense = seeds.he([features, outputs]);
    this.bias = seeds.zeros([outputs]);
  }

  get weights(): tf.Variable[] {
    return [...this.segments.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable)), this.dense, this.bias];
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      const h = this.steps.reduce((acc, step) => step(acc, training), x);
      return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, this.dense as tf.Tensor2D), this.bias);
    });
  }

  dispose(): void {
    for (const m of this.segments) m.dispose();
    for (const v of this.alphas) v.dispose();
    this.dense?.dispose();
    this.bias?.dispose();
  }
}

function outShape(m: tf.LayersModel): number[] {
  return (m.outputs[0].shape.slice(1) as number[]).map((d) => d ?? 1);
}
