// A worker's supernet job: build the supernet for the data, continue from a checkpoint when resuming, train
// it with first-order DARTS and report every epoch (metrics, alpha, and, but for the last, a checkpoint to resume from).
import * as tf from '@tensorflow/tfjs';
import type { SupernetCheckpoint, SupernetEpochReport, SupernetRequest, SupernetResult } from '../../shared/protocol';
import type { DataTensors } from '../data';
import { TrainingError, type NamedTensor } from '../trainer';
import { packOptimizer, unpackOptimizer } from '../transfer';
import { CellNet } from './cellNet';
import type { SupernetNet } from './net';
import { SequentialNet } from './sequentialNet';
import { disposeOptimizers, makeOptimizers, trainSupernet, type SupernetOptimizers, type Task } from './train';

type Send = (m: SupernetEpochReport) => Promise<void>;

export function buildSupernet(p: SupernetRequest['params'], data: Pick<DataTensors, 'inputShape' | 'classes' | 'vocabulary'>, task: Task): SupernetNet {
  const outputs = task === 'regression' ? 1 : data.classes;
  const space = p.config.space;
  return space.kind === 'cell'
    ? new CellNet(space, data.inputShape, outputs, p.seed)
    : new SequentialNet(space, data.inputShape, outputs, p.seed, { vocabulary: data.vocabulary });
}

/** Trains the supernet, sending each epoch; returns the outcome for the worker to send once it is idle again. */
export async function runSupernet(
  p: SupernetRequest['params'],
  data: DataTensors,
  task: Task,
  send: Send,
  shouldStop: () => boolean,
): Promise<SupernetResult['params']> {
  const started = Date.now();
  let net: SupernetNet | undefined;
  let opt: SupernetOptimizers | undefined;
  let epochs = p.fromEpoch;
  let result: SupernetResult['params'];
  try {
    net = buildSupernet(p, data, task);
    opt = makeOptimizers(p.config, data.trainX.shape[0]);
    if (p.checkpoint) await restore(net, opt, p.checkpoint);
    const n = net;
    const o = opt;
    let stopped = false;
    epochs = await trainSupernet(net, data, p.config, opt, {
      seed: p.seed,
      task,
      fromEpoch: p.fromEpoch,
      shouldStop: () => (stopped = stopped || shouldStop()),
      onEpoch: async (epoch, metrics, alpha) => {
        // After the last epoch nothing resumes the supernet (a resumed run derives from the journaled alpha): packing,
        // sending and writing its checkpoint would only delay the retrain.
        const last = epoch + 1 >= p.config.training.epochs;
        await send({ method: 'supernet-epoch', params: { epoch, metrics, alpha, ...(last ? {} : { checkpoint: await checkpointOf(n, o) }) } });
        return shouldStop() ? 'stop' : 'continue';
      },
    });
    const done = epochs >= p.config.training.epochs;
    result = { status: done ? 'completed' : 'stopped', epochs, durationMs: Date.now() - started };
  } catch (err) {
    const known = err instanceof TrainingError;
    result = {
      status: 'failed',
      epochs,
      durationMs: Date.now() - started,
      error: known ? (err as Error).message : `${(err as Error).name}: ${(err as Error).message}`,
    };
  } finally {
    if (opt) disposeOptimizers(opt);
    net?.dispose();
  }
  return result;
}

/** Every variable (weights, then alpha) and both optimizers' states, in a fixed order. */
async function checkpointOf(net: SupernetNet, opt: SupernetOptimizers): Promise<SupernetCheckpoint> {
  const vars = [...net.weights, ...net.alphas].map((v, i) => ({ name: `v${i}`, tensor: v as tf.Tensor }));
  const state = async (o: tf.Optimizer) => {
    let weights: NamedTensor[];
    try {
      weights = await o.getWeights();
    } catch {
      return undefined; // Adamax cannot export its state in tfjs 4.22: it restarts after a resume.
    }
    const packed = await packOptimizer(o.getClassName(), weights);
    // getWeights returns the optimizer's own variables, except the iteration count, a fresh scalar.
    for (const w of weights) if (w.name === 'iter') w.tensor.dispose();
    return packed;
  };
  const [weightsOptimizer, alphaOptimizer] = [await state(opt.weights), await state(opt.alpha)];
  return {
    variables: await packOptimizer('variables', vars),
    ...(weightsOptimizer ? { weightsOptimizer } : {}),
    ...(alphaOptimizer ? { alphaOptimizer } : {}),
  };
}

async function restore(net: SupernetNet, opt: SupernetOptimizers, c: SupernetCheckpoint): Promise<void> {
  const vars = [...net.weights, ...net.alphas];
  const saved = unpackOptimizer(c.variables);
  try {
    if (saved.length !== vars.length)
      throw new TrainingError(`the supernet checkpoint holds ${saved.length} variables, the supernet ${vars.length}: the space changed`);
    vars.forEach((v, i) => v.assign(saved[i].tensor));
  } finally {
    for (const s of saved) s.tensor.dispose();
  }
  for (const [o, state] of [
    [opt.weights, c.weightsOptimizer],
    [opt.alpha, c.alphaOptimizer],
  ] as const) {
    if (!state) continue;
    const named = unpackOptimizer(state);
    // The optimizer's variables take their own references to the data: the unpacked tensors can go.
    await o.setWeights(named);
    for (const t of named) t.tensor.dispose();
  }
}
