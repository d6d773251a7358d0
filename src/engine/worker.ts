// A worker process: loads the backend and the data once, then trains one trial at a time as the
// orchestrator asks, reporting each epoch and waiting for a go/prune decision. It exits when its channel
// closes, so an orchestrator that dies takes its workers with it.
import * as path from 'node:path';
import type { EpochMetrics, MetricName } from '../shared/events';
import {
  isToWorker,
  type EvaluateRequest,
  type Evaluation,
  type FromWorker,
  type InitRequest,
  type SupernetRequest,
  type TrainRequest,
  type TrialResult,
} from '../shared/protocol';
import { loadDataset, type LoadedData } from '../core/data/dataset';
import { loadTestSet } from '../core/data/testset';
import { DataError } from '../core/data/errors';
import { initBackend } from './backend';
import { runSupernet } from './supernet/run';
import { buildModel, BuildError } from './builder';
import { getDataTensors, type DataTensors } from './data';
import { evaluateWeights, testPart, testTensors, type TestTensors } from './evaluate';
import { modelArtifacts, readArtifacts } from './modelio';
import { bestEpochOf, train, TrainingError, type NamedTensor } from './trainer';
import {
  assignMatching,
  featureShape,
  loadBackbone,
  measureLatency,
  packOptimizer,
  restoreWeights,
  unpackOptimizer,
  withBackbone,
  type Backbone,
} from './transfer';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf | undefined;
let data: DataTensors | undefined;
let task: 'classification' | 'regression' = 'classification';
let stopRequested = false;
let busy = false;
let backbone: Backbone | undefined;
let initParams: InitRequest['params'] | undefined;
/** What the training samples were normalised with and named: the test set must match them. */
let trainingSide: Pick<LoadedData, 'norm' | 'classNames'> | undefined;
/** Read on the first `evaluate`, when the run has ended: training never shares a process state with it before. */
let test: TestTensors | undefined;
const waiting = new Map<string, (d: { decision: 'continue' | 'prune'; reason?: string }) => void>();

function send(m: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

async function init(p: InitRequest['params']) {
  const start = Date.now();
  try {
    const chosen = await initBackend(p.backend);
    tf = chosen.tf;
    task = p.task?.type ?? 'classification';
    const key = JSON.stringify([p.dataset, p.task ?? null, p.baseDir, p.seed]);
    initParams = p;
    data = getDataTensors(key, () => {
      const loaded = loadDataset(p.dataset, p.task, p.baseDir, p.seed);
      trainingSide = { norm: loaded.norm, classNames: loaded.classNames };
      return loaded;
    });
    if (p.backbone) {
      const dir = p.backbone.path.endsWith('.json') ? path.dirname(p.backbone.path) : p.backbone.path;
      backbone = { artifacts: await readArtifacts(dir), trainable: p.backbone.trainable, outputLayer: p.backbone.outputLayer };
    }
    await send({
      method: 'ready',
      params: {
        backend: chosen.name,
        reason: chosen.reason,
        loadMs: Date.now() - start,
        inputShape: data.inputShape,
        outputs: task === 'regression' ? 1 : data.classes,
        samples: { train: data.trainX.shape[0], val: data.valX.shape[0] },
        pid: process.pid,
      },
    });
  } catch (err) {
    await send({ method: 'init-failed', params: { error: err instanceof DataError ? err.message : `${(err as Error).message ?? err}` } });
    process.exit(1);
  }
}

async function runTrial(p: TrainRequest['params']) {
  if (!tf || !data) throw new Error('train before init');
  busy = true;
  const started = Date.now();
  const baselineTensors = tf.memory().numTensors;
  let history: EpochMetrics[] = [];
  let result: TrialResult['params'];
  let model: import('@tensorflow/tfjs').LayersModel | undefined;
  let best: import('@tensorflow/tfjs').Tensor[] | undefined;
  let optimizerIn: NamedTensor[] | undefined;
  let optimizerOut: NamedTensor[] | undefined;
  try {
    model = await buildTrialModel(p);
    const params = model.countParams();
    // Continuing a promoted trial: the exact weights it stopped with, and its optimizer's state.
    let inherited: { layers: number; total: number } | undefined;
    if (p.resume) {
      restoreWeights(model, p.resume.checkpoint.weights);
      if (p.resume.checkpoint.optimizer) optimizerIn = unpackOptimizer(p.resume.checkpoint.optimizer);
    } else if (p.inherit) inherited = assignMatching(model, p.inherit);
    const prior = p.resume?.history ?? [];
    const target = p.epochs ?? p.config.training.epochs;
    let pruneReason: string | undefined;
    // The recorded value is the best epoch's, so the kept weights must be that epoch's too (like Keras's
    // restore_best_weights); otherwise an exported model would not score what the leaderboard says.
    // A promoted segment only takes weights that beat the trial's earlier epochs: when none does, the best
    // epoch's weights are the ones the orchestrator kept when an earlier segment ended.
    const sign = p.objective.direction === 'maximize' ? 1 : -1;
    let bestScore = priorBest(p.resume?.history ?? [], p.objective.metric, sign);
    // A trial the budget cuts hands back its best full epoch's weights, a segment paused at a rung too: both rank
    // on that epoch.
    const keepBest = p.wantWeights || !!p.wantCheckpoint;
    const beat = heartbeat(p.trial, prior.length, started + (p.deadlineMs ?? Infinity));
    const r = await train(
      model,
      data,
      { ...p.config.training, epochs: Math.max(0, target - prior.length) },
      {
        // A promoted segment draws batch orders of its own, not its first segment's again.
        seed: p.seed + prior.length * 7919,
        task,
        objective: p.objective,
        optimizerWeights: optimizerIn,
        keepOptimizerWeights: !!p.wantCheckpoint,
        shouldStop: beat.poll,
        onEpoch: async (segmentEpoch, metrics) => {
          // Epochs are numbered over the whole trial, across the segments of a promoted one.
          const epoch = prior.length + segmentEpoch;
          beat.epochEnded(epoch + 1);
          const v = metrics[p.objective.metric];
          if (keepBest && typeof v === 'number' && sign * v > bestScore) {
            bestScore = sign * v;
            tf!.dispose(best);
            best = model!.getWeights().map((w) => w.clone());
          }
          await send({ method: 'epoch', params: { trial: p.trial, epoch, metrics } });
          const d = await decision(p.trial, epoch);
          if (d.decision === 'prune') {
            pruneReason = d.reason;
            return 'prune';
          }
          return beat.poll() ? 'stop' : 'continue';
        },
      },
    );
    optimizerOut = r.optimizerWeights;
    history = [...prior, ...r.history];
    const status = r.stopReason === 'pruned' ? 'pruned' : history.length === 0 ? 'failed' : 'completed';
    // The best epoch over the whole trial (the trainer saw only this segment).
    const asked = p.objective;
    const objective = history.some((m) => m[asked.metric] !== undefined)
      ? asked
      : task === 'regression'
        ? { metric: 'val_loss' as const, direction: 'minimize' as const }
        : asked;
    const bestEpoch = prior.length ? bestEpochOf(history, objective.metric, objective.direction) : r.bestEpoch;
    result = {
      trial: p.trial,
      status,
      history,
      bestEpoch,
      value: prior.length ? (bestEpoch >= 0 ? history[bestEpoch][objective.metric] : undefined) : r.value,
      stopReason: r.stopReason === 'pruned' ? undefined : r.stopReason,
      pruneReason,
      error: status === 'failed' ? 'stopped before the first epoch ended' : undefined,
      params,
      durationMs: Date.now() - started,
      numTensors: 0,
      baselineTensors,
      ...(inherited ? { inherited } : {}),
    };
    // A checkpoint holds the last epoch's weights (what the optimizer state goes with), taken before the best
    // epoch's weights are put back for the result.
    // A cut trial does not continue, and its model holds part of an abandoned epoch: no checkpoint.
    if (status === 'completed' && p.wantCheckpoint && r.history.length > 0 && r.stopReason !== 'stopped') {
      result.checkpoint = {
        weights: await artifactsOf(model),
        ...(optimizerOut ? { optimizer: await packOptimizer(p.config.training.optimizer, optimizerOut) } : {}),
      };
    }
    if (status === 'completed' && p.measureLatency) result.latencyMs = await measureLatency(model, data.valX, p.config.training.batchSize);
    // Weights go back when this segment holds the trial's best epoch (a cut or paused segment, or the last one),
    // or when a fresh trial that ran to its end asked for them and no epoch had a score (all NaN): it still has a
    // model to keep. A cut trial's model holds part of an abandoned epoch, so only its best full epoch goes back.
    if (status === 'completed' && (best || (p.wantWeights && !prior.length && r.stopReason !== 'stopped'))) {
      if (best) model.setWeights(best);
      result.weights = await artifactsOf(model);
    }
  } catch (err) {
    // A failed architecture is a result, not a crash: report it and stay ready for the next trial.
    const known = err instanceof BuildError || err instanceof TrainingError;
    result = {
      trial: p.trial,
      status: 'failed',
      history,
      bestEpoch: -1,
      error: known ? (err as Error).message : `${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`,
      params: 0,
      durationMs: Date.now() - started,
      numTensors: 0,
      baselineTensors,
    };
  } finally {
    model?.dispose();
    tf.dispose(best);
    for (const w of [...(optimizerIn ?? []), ...(optimizerOut ?? [])]) w.tensor.dispose();
  }
  result.numTensors = tf.memory().numTensors;
  busy = false;
  await send({ method: 'result', params: result });
}

/** The trial's network: the searched architecture, on top of the pretrained backbone when there is one. */
async function buildTrialModel(p: TrainRequest['params']): Promise<import('@tensorflow/tfjs').LayersModel> {
  const outputs = task === 'regression' ? 1 : data!.classes;
  if (!backbone) return buildModel(p.config.arch, data!.inputShape, outputs, task, p.seed, { vocabulary: data!.vocabulary });
  const base = await loadBackbone(backbone);
  try {
    const head = buildModel(p.config.arch, featureShape(base), outputs, task, p.seed);
    return withBackbone(base, head, data!.inputShape);
  } catch (e) {
    base.dispose();
    throw e;
  }
}

async function artifactsOf(model: import('@tensorflow/tfjs').LayersModel) {
  const a = await modelArtifacts(model);
  const w = a.weightData == null ? new ArrayBuffer(0) : tf!.io.CompositeArrayBuffer.join(a.weightData);
  return { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs ?? [], weightData: w };
}

async function evaluate(p: EvaluateRequest['params']) {
  busy = true;
  let reply: Evaluation['params'];
  try {
    if (!tf || !data || !initParams || !trainingSide?.norm) throw new Error('evaluate before init');
    if (!test) {
      const samples = loadTestSet(initParams.dataset, initParams.task, initParams.baseDir, initParams.seed, {
        inputShape: data.inputShape,
        classes: data.classes,
        classNames: trainingSide.classNames,
        norm: trainingSide.norm,
      });
      if (!samples) throw new Error('the spec names no test set');
      test = testTensors(samples, data.classes, task);
    }
    const part = p.part ? testPart(test, p.part.index, p.part.of) : test;
    try {
      // An empty part (a test set smaller than the number of parts) has no score.
      reply = { trial: p.trial, samples: part.count, ...(part.count > 0 ? await evaluateWeights(p.weights, part, task, p.batchSize) : {}) };
    } finally {
      if (part !== test) part.dispose();
    }
  } catch (err) {
    reply = { trial: p.trial, samples: test?.count ?? 0, error: err instanceof DataError ? err.message : `${(err as Error).message ?? err}` };
  }
  busy = false;
  await send({ method: 'evaluation', params: reply });
}

/** The DARTS supernet, before any trial: it stops between batches like a trial (stop message or deadline). */
async function supernet(p: SupernetRequest['params']) {
  if (!data) throw new Error('supernet before init');
  busy = true;
  const deadline = Date.now() + (p.deadlineMs ?? Infinity);
  const result = await runSupernet(p, data, task, send, () => stopRequested || Date.now() >= deadline);
  busy = false;
  await send({ method: 'supernet-result', params: result });
}

/**
 * The trainer's between-batches poll: stop once the orchestrator asked or the budget's deadline passed (the
 * deadline holds even when no message gets in), and tell the orchestrator, about once a second, that training
 * goes on, for its watchdog.
 */
function heartbeat(trial: number, epoch: number, deadline: number) {
  let batch = 0;
  let lastSent = Date.now();
  return {
    poll: (): boolean => {
      batch++;
      const now = Date.now();
      if (now - lastSent >= 1000) {
        lastSent = now;
        void send({ method: 'progress', params: { trial, epoch, batch } });
      }
      return stopRequested || now >= deadline;
    },
    epochEnded: (epochs: number) => {
      epoch = epochs;
      batch = 0;
      lastSent = Date.now();
    },
  };
}

function decision(trial: number, epoch: number) {
  return new Promise<{ decision: 'continue' | 'prune'; reason?: string }>((resolve) => waiting.set(`${trial}/${epoch}`, resolve));
}

process.on('message', (m: unknown) => {
  if (!isToWorker(m)) return;
  switch (m.method) {
    case 'init':
      void init(m.params);
      break;
    case 'train':
      stopRequested = false;
      if (busy) {
        void send({ method: 'log', params: { level: 'error', message: `asked to train trial ${m.params.trial} while busy` } });
        return;
      }
      void runTrial(m.params);
      break;
    case 'supernet':
      stopRequested = false;
      if (busy) {
        void send({ method: 'log', params: { level: 'error', message: 'asked to train the supernet while busy' } });
        return;
      }
      void supernet(m.params);
      break;
    case 'decision': {
      const key = `${m.params.trial}/${m.params.epoch}`;
      waiting.get(key)?.(m.params);
      waiting.delete(key);
      break;
    }
    case 'stop':
      stopRequested = true;
      break;
    case 'evaluate':
      if (busy) {
        void send({ method: 'evaluation', params: { trial: m.params.trial, samples: 0, error: 'the worker was busy training' } });
        return;
      }
      void evaluate(m.params);
      break;
  }
});

process.on('disconnect', () => process.exit(0));

/** The signed score of a promoted trial's best epoch before this segment (-Infinity for a fresh trial). */
function priorBest(history: readonly EpochMetrics[], metric: MetricName, sign: number): number {
  let best = -Infinity;
  for (const m of history) {
    const v = m?.[metric];
    if (typeof v === 'number' && Number.isFinite(v)) best = Math.max(best, sign * v);
  }
  return best;
}
