// Trains one built model and reports every epoch. Decisions that end a trial early (early stopping, time limit,
// pruning, a stop request, a diverged loss) are all taken here so every caller gets the same semantics.
import * as tf from '@tensorflow/tfjs';
import type { ConcreteTraining, OptimizerName } from '../shared/arch';
import type { Direction, EpochMetrics, MetricName, StopReason } from '../shared/events';
import { bestEpochOf } from '../core/objectives';
import type { Task } from './builder';
import { recalibrateBatchNorm } from './bnRecalibration';
import { categoricalCrossentropy } from './kernels/crossEntropy';
import { withSeededRandom } from './seededRandom';

export class TrainingError extends Error {
  override name = 'TrainingError';
}

export interface TrainData {
  trainX: tf.Tensor;
  trainY: tf.Tensor;
  valX: tf.Tensor;
  valY: tf.Tensor;
}

export type EpochDecision = 'continue' | 'stop' | 'prune';

/** A tensor with a name, as optimizer.getWeights() returns them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface TrainOptions {
  /**
   * Seeds fit's batch order (tfjs shuffles with Math.random: see seededRandom.ts); with buildModel's seeded initial
   * weights the same seed replays the same training, dropout masks included.
   */
  seed: number;
  /** Default: classification when trainY has more than one column (one-hot), regression otherwise. */
  task?: Task;
  /** The metric that picks the best epoch. Default val_accuracy/maximize (classification), val_loss/minimize. */
  objective?: { metric: MetricName; direction: Direction };
  /** Called after every finished epoch (0-based) with its metrics; awaited before the next epoch starts. */
  onEpoch?: (epoch: number, m: EpochMetrics) => EpochDecision | Promise<EpochDecision>;
  /**
   * Polled after every batch but an epoch's last (whose end polls it instead); true abandons the current epoch
   * (its partial metrics are not reported) or, at an epoch's end, stops after it.
   */
  shouldStop?: () => boolean;
  /** Milliseconds; injectable so tests can fake the clock. */
  now?: () => number;
  /**
   * Optimizer state to start from (optimizer.getWeights() of an earlier segment of the same model), so training
   * continues where it stopped. Ignored by optimizers that cannot restore state (tfjs's Adamax). Not disposed.
   */
  optimizerWeights?: NamedTensor[];
  /** Hand back the optimizer's state at the end, in `TrainResult.optimizerWeights` (the caller disposes it). */
  keepOptimizerWeights?: boolean;
}

export interface TrainResult {
  /** history[i] is epoch i (0-based), the same index given to onEpoch. */
  history: EpochMetrics[];
  /** Index into history of the best epoch by the objective; -1 when no epoch finished. */
  bestEpoch: number;
  /** The objective at bestEpoch. */
  value?: number;
  /** 'epochs' whenever all planned epochs ran, even if early stopping or the time limit fired on the last one. */
  stopReason: StopReason | 'pruned' | 'stopped';
  /** With keepOptimizerWeights: the optimizer's state after the last epoch (undefined when it cannot export it). */
  optimizerWeights?: NamedTensor[];
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    case 'adamax':
      return tf.train.adamax(learningRate);
  }
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose forgets to call SGDOptimizer.dispose, leaking the learning-rate scalar
 * once per trial; disposing it again is harmless (a disposed tensor ignores dispose).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer.getClassName() === 'Momentum') tf.SGDOptimizer.prototype.dispose.call(optimizer);
}

/** tfjs names the accuracy metric 'acc' or 'accuracy' depending on how it was requested. */
function toMetrics(logs: tf.Logs, task: Task): EpochMetrics {
  const m: EpochMetrics = { loss: logs.loss, val_loss: logs.val_loss };
  if (task === 'classification') {
    m.accuracy = logs.acc ?? logs.accuracy;
    m.val_accuracy = logs.val_acc ?? logs.val_accuracy;
  }
  return m;
}

function better(a: number, b: number, direction: Direction, minDelta = 0): boolean {
  return direction === 'maximize' ? a - minDelta > b : a + minDelta < b;
}

export { bestEpochOf };

/**
 * Compiles `model` with the trial's optimizer and loss and trains it for up to training.epochs epochs.
 * Throws TrainingError when the loss stops being finite. Disposes the optimizer; the caller owns the model.
 */
export async function train(model: tf.LayersModel, data: TrainData, training: ConcreteTraining, opts: TrainOptions): Promise<TrainResult> {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const task: Task = opts.task ?? ((data.trainY.shape[1] ?? 1) > 1 ? 'classification' : 'regression');
  const defaultObjective =
    task === 'classification'
      ? { metric: 'val_accuracy' as const, direction: 'maximize' as const }
      : { metric: 'val_loss' as const, direction: 'minimize' as const };
  // val_accuracy does not exist for regression; monitoring it would silently never stop, so fall back.
  const es = training.earlyStopping && { ...training.earlyStopping, monitor: task === 'regression' ? ('val_loss' as const) : training.earlyStopping.monitor };
  const esDirection: Direction = es?.monitor === 'val_accuracy' ? 'maximize' : 'minimize';
  let esBest = esDirection === 'maximize' ? -Infinity : Infinity;
  let esWait = 0;

  const history: EpochMetrics[] = [];
  let stopReason: TrainResult['stopReason'] = 'epochs';
  // Set by callbacks; thrown only after fit returns so tfjs can release its batch tensors on the way out.
  let failure: unknown;
  let abandoned = false;

  const optimizer = makeOptimizer(training.optimizer, training.learningRate);
  let optimizerWeights: NamedTensor[] | undefined;
  try {
    if (opts.optimizerWeights?.length) await restoreOptimizer(optimizer, opts.optimizerWeights);
    model.compile({
      optimizer,
      // The fused kernel on wasm (kernels/crossEntropy.ts), tfjs's own elsewhere; the same formula either way.
      loss: task === 'classification' ? categoricalCrossentropy : 'meanSquaredError',
      metrics: task === 'classification' ? ['accuracy'] : [],
    });

    const halt = (reason: TrainResult['stopReason']) => {
      stopReason = reason;
      model.stopTraining = true;
    };

    const onEpochEnd = async (epoch: number, logs?: tf.Logs) => {
      if (abandoned || failure !== undefined) return;
      const m = toMetrics({ ...logs, ...(await validate()) }, task);
      for (const key of ['loss', 'val_loss'] as const) {
        if (key === 'val_loss' && !hasValidation) continue;
        if (!Number.isFinite(m[key])) {
          failure = new TrainingError(
            `${key === 'loss' ? 'loss' : 'validation loss'} became ${Number.isNaN(m[key]) ? 'NaN' : 'infinite'} at epoch ${epoch + 1}`,
          );
          model.stopTraining = true;
          return;
        }
      }
      history.push(m);
      const decision = opts.onEpoch ? await opts.onEpoch(epoch, m) : 'continue';
      if (decision === 'prune') return halt('pruned');
      // A stop that comes with the last epoch stops nothing: every planned epoch ran.
      if (epoch + 1 >= training.epochs) return;
      if (decision === 'stop') return halt('stopped');
      if (opts.shouldStop?.()) return halt('stopped');
      if (es) {
        const v = m[es.monitor] as number;
        if (better(v, esBest, esDirection, es.minDelta)) {
          esBest = v;
          esWait = 0;
        } else if (++esWait >= es.patience) return halt('early-stopping');
      }
      if (training.timeLimitSeconds !== undefined && now() - start > training.timeLimitSeconds * 1000) halt('time-limit');
    };

    // Validation is the epoch end's, not fit's (which scores inside the last batch): batch norm's statistics
    // are recomputed from the epoch's final weights first (bnRecalibration.ts). Same batches, same testLoop.
    const hasValidation = (data.valX.shape[0] ?? 0) > 0;
    const validate = async (): Promise<tf.Logs> => {
      recalibrateBatchNorm(model, data.trainX, training.batchSize);
      if (!hasValidation) return {};
      const out = model.evaluate(data.valX, data.valY, { batchSize: training.batchSize });
      const [loss, acc] = Array.isArray(out) ? out : [out];
      try {
        return { val_loss: (await loss.data())[0], ...(acc ? { val_acc: (await acc.data())[0] } : {}) };
      } finally {
        tf.dispose(Array.isArray(out) ? out : [out]);
      }
    };

    // After the last batch the epoch is whole: a stop then is onEpochEnd's to take.
    const batchesPerEpoch = Math.ceil((data.trainX.shape[0] ?? 0) / training.batchSize);
    const onBatchEnd = async (batch: number, logs?: tf.Logs) => {
      // Catching divergence mid-epoch saves the rest of a long epoch on a trial that has already failed.
      const loss = logs?.loss;
      if (loss !== undefined && !Number.isFinite(loss)) {
        failure = new TrainingError(`loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${history.length + 1}`);
        model.stopTraining = true;
      } else if (batch < batchesPerEpoch - 1 && opts.shouldStop?.()) {
        abandoned = true;
        halt('stopped');
      }
    };

    // A throwing user callback would otherwise escape from inside fit's loop; park it like a failure.
    const guard =
      <A extends unknown[]>(f: (...a: A) => Promise<void>) =>
      async (...a: A) => {
        try {
          await f(...a);
        } catch (e) {
          failure ??= e;
          model.stopTraining = true;
        }
      };

    if (training.epochs > 0 && !opts.shouldStop?.()) {
      await withSeededRandom(opts.seed, () =>
        model.fit(data.trainX, data.trainY, {
          epochs: training.epochs,
          batchSize: training.batchSize,
          shuffle: true,
          verbose: 0,
          callbacks: { onEpochEnd: guard(onEpochEnd), onBatchEnd: guard(onBatchEnd) },
        }),
      );
    } else if (training.epochs > 0) stopReason = 'stopped';
    if (opts.keepOptimizerWeights && failure === undefined) optimizerWeights = await exportOptimizer(optimizer);
  } finally {
    disposeOptimizer(optimizer);
  }
  if (failure !== undefined) throw failure;

  // An accuracy objective on a regression task has nothing to rank by; the task's default is the sane reading.
  const asked = opts.objective ?? defaultObjective;
  const { metric, direction } = history.some((m) => m[asked.metric] !== undefined) ? asked : defaultObjective;
  const bestEpoch = bestEpochOf(history, metric, direction);
  return { history, bestEpoch, value: bestEpoch >= 0 ? history[bestEpoch][metric] : undefined, stopReason, ...(optimizerWeights ? { optimizerWeights } : {}) };
}

/** Sets an optimizer's state; its variables are made from (and share data with) the given tensors. */
async function restoreOptimizer(optimizer: tf.Optimizer, weights: NamedTensor[]): Promise<void> {
  try {
    await optimizer.setWeights(weights.map((w) => ({ name: w.name, tensor: w.tensor })));
  } catch {
    // Adamax cannot restore state in tfjs 4.22: it starts afresh, which costs only a few steps of warm-up.
  }
}

/** A copy of an optimizer's state, which outlives the optimizer. */
async function exportOptimizer(optimizer: tf.Optimizer): Promise<NamedTensor[] | undefined> {
  let weights: NamedTensor[];
  try {
    weights = await optimizer.getWeights();
  } catch {
    return undefined;
  }
  // The iteration count is a fresh scalar; the rest are the optimizer's own variables, which it disposes.
  return weights.map((w, i) => ({ name: w.name, tensor: i === 0 && w.name === 'iter' ? w.tensor : w.tensor.clone() }));
}
