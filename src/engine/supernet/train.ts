// First-order DARTS: every training batch is one alpha step on a validation batch (Adam with betas 0.5/0.999,
// by default DARTS' 3e-4 scaled to the search's length) followed by one weight step on the training batch (the
// spec's optimizer). Each epoch ends with the validation split scored and alpha reported; the caller decides
// whether to go on.
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics } from '../../shared/events';
import { alphaRate, type SupernetConfig } from '../../shared/supernet';
import { Rng } from '../../core/rng';
import type { DataTensors } from '../data';
import { withSeededRandom } from '../seededRandom';
import { disposeOptimizer, makeOptimizer, TrainingError } from '../trainer';
import { variableGrads } from './gradients';
import { alphaWeights } from './mixed';
import type { SupernetNet } from './net';

export type Task = 'classification' | 'regression';
type Data = Pick<DataTensors, 'trainX' | 'trainY' | 'valX' | 'valY' | 'batches'>;

export interface SupernetHooks {
  seed: number;
  task: Task;
  /** Epochs already trained (a resumed search): numbering and batch order go on from there. */
  fromEpoch?: number;
  /** Between batches: true ends the search after the epoch under way is dropped. */
  shouldStop?: () => boolean;
  /** After each epoch; 'stop' ends the search there. */
  onEpoch: (epoch: number, metrics: EpochMetrics, alpha: number[][]) => Promise<'continue' | 'stop'>;
}

export interface SupernetOptimizers {
  weights: tf.Optimizer;
  alpha: tf.Optimizer;
}

export function makeOptimizers(config: SupernetConfig, trainSamples: number): SupernetOptimizers {
  return {
    weights: makeOptimizer(config.training.optimizer, config.training.learningRate),
    alpha: tf.train.adam(alphaRate(config, trainSamples), 0.5, 0.999),
  };
}

export function disposeOptimizers(o: SupernetOptimizers): void {
  disposeOptimizer(o.weights);
  o.alpha.dispose();
}

function lossOf(out: tf.Tensor, y: tf.Tensor, task: Task): tf.Scalar {
  return task === 'classification' ? tf.losses.softmaxCrossEntropy(y, out) : tf.losses.meanSquaredError(y, out);
}

/**
 * Optimizer.minimize(loss, true, vars) with gradients.ts's backward pass (the same gradients, less memory held):
 * the loss is returned for the caller to dispose.
 */
function minimize(o: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[]): tf.Scalar {
  const { value, grads } = variableGrads(loss, vars);
  if (grads.every((g) => g === null)) {
    tf.dispose(value);
    throw new TrainingError('internal: the supernet loss does not depend on any of the variables it trains');
  }
  // Every variable in order, with no tensor where there is no gradient, as minimize passes them: optimizers key
  // their state by position.
  o.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] ?? undefined })) as { name: string; tensor: tf.Tensor }[]);
  tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
  return value;
}

function correct(out: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y, -1)), 'float32'));
}

/** Validation batches drawn without replacement, reshuffled (seeded) each time the split is used up. */
class ValSampler {
  private order: Int32Array = new Int32Array(0);
  private at = 0;
  private readonly rng: Rng;
  constructor(
    private readonly n: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  next(size: number): tf.Tensor1D {
    if (this.at + size > this.order.length) {
      this.order = Int32Array.from({ length: this.n }, (_, i) => i);
      for (let i = this.n - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
      this.at = 0;
    }
    const idx = this.order.slice(this.at, this.at + Math.min(size, this.n));
    this.at += idx.length;
    return tf.tensor1d(idx, 'int32');
  }
}

/** Trains until `epochs` or a stop; returns the epochs completed. */
export async function trainSupernet(net: SupernetNet, data: Data, config: SupernetConfig, opt: SupernetOptimizers, hooks: SupernetHooks): Promise<number> {
  const { batchSize, epochs } = config.training;
  const nVal = data.valX.shape[0];
  if (nVal === 0) throw new TrainingError('darts needs a validation split to learn alpha on (validationSplit is 0)');
  let epoch = hooks.fromEpoch ?? 0;
  const classification = hooks.task === 'classification';
  for (; epoch < epochs; epoch++) {
    // Resuming at epoch e replays the sampler's draws up to it only through its seed: each epoch has its own.
    const val = new ValSampler(nVal, hooks.seed * 7919 + epoch);
    let lossSum = 0;
    let hits = 0;
    let seen = 0;
    // Dropout layers in the supernet draw their masks from Math.random and the dropout kernel: seeded per epoch
    // (seededRandom.ts), as the batch order is, so a search, resumed or not, replays them.
    const stopped = await withSeededRandom(hooks.seed * 104_729 + epoch, async () => {
      for (const batch of data.batches(hooks.seed * 1000 + epoch, batchSize)) {
        const stop = hooks.shouldStop?.() ?? false;
        if (!stop) {
          const idx = val.next(batchSize);
          const xv = tf.gather(data.valX, idx);
          const yv = tf.gather(data.valY, idx);
          tf.dispose(minimize(opt.alpha, () => lossOf(net.forward(xv, true), yv, hooks.task), net.alphas));
          tf.dispose([idx, xv, yv]);
          let right: tf.Scalar | undefined;
          const cost = minimize(
            opt.weights,
            () => {
              const out = net.forward(batch.xs, true);
              if (classification) right = tf.keep(correct(out, batch.ys));
              return lossOf(out, batch.ys, hooks.task);
            },
            net.weights,
          );
          const n = batch.xs.shape[0];
          lossSum += (await cost.data())[0] * n;
          if (right) hits += (await right.data())[0];
          seen += n;
          tf.dispose([cost, right as tf.Tensor | undefined].filter((t): t is tf.Tensor => !!t));
        }
        tf.dispose([batch.xs, batch.ys]);
        if (stop) return true;
      }
      return false;
    });
    if (stopped) return epoch;
    if (!Number.isFinite(lossSum)) throw new TrainingError(`the supernet's loss is not finite in epoch ${epoch + 1}: lower the learning rate`);
    const v = evaluate(net, data.valX, data.valY, batchSize, hooks.task);
    const metrics: EpochMetrics = { loss: lossSum / Math.max(seen, 1), val_loss: v.loss };
    if (classification) {
      metrics.accuracy = hits / Math.max(seen, 1);
      metrics.val_accuracy = v.accuracy;
    }
    if ((await hooks.onEpoch(epoch, metrics, alphaWeights(net.alphas))) === 'stop') return epoch + 1;
  }
  return epoch;
}

/** The validation split in batches, in inference mode. */
export function evaluate(net: SupernetNet, x: tf.Tensor, y: tf.Tensor, batchSize: number, task: Task): { loss: number; accuracy?: number } {
  const n = x.shape[0];
  let loss = 0;
  let hits = 0;
  for (let at = 0; at < n; at += batchSize) {
    const size = Math.min(batchSize, n - at);
    const [l, h] = tf.tidy(() => {
      const xb = tf.slice(x, at, size);
      const yb = tf.slice(y, at, size);
      const out = net.forward(xb, false);
      return [tf.mul(lossOf(out, yb, task), size), task === 'classification' ? correct(out, yb) : tf.scalar(0)];
    });
    loss += l.dataSync()[0];
    hits += h.dataSync()[0];
    tf.dispose([l, h]);
  }
  return { loss: loss / n, ...(task === 'classification' ? { accuracy: hits / n } : {}) };
}
