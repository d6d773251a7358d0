// A worker process: loads the backend and the data once, then trains one trial at a time as the
// orchestrator asks, reporting each epoch and waiting for a go/prune decision. It exits when its channel
// closes, so an orchestrator that dies takes its workers with it.
import type { EpochMetrics } from '../shared/events';
import { isToWorker, type FromWorker, type InitRequest, type TrainRequest, type TrialResult } from '../shared/protocol';
import { loadDataset } from '../core/data/dataset';
import { DataError } from '../core/data/errors';
import { initBackend } from './backend';
import { buildModel, BuildError } from './builder';
import { getDataTensors, type DataTensors } from './data';
import { modelArtifacts } from './modelio';
import { train, TrainingError } from './trainer';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf | undefined;
let data: DataTensors | undefined;
let task: 'classification' | 'regression' = 'classification';
let stopRequested = false;
let busy = false;
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
    data = getDataTensors(key, () => loadDataset(p.dataset, p.task, p.baseDir, p.seed));
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
  try {
    model = buildModel(p.config.arch, data.inputShape, task === 'regression' ? 1 : data.classes, task, p.seed);
    const params = model.countParams();
    let pruneReason: string | undefined;
    const r = await train(model, data, p.config.training, {
      seed: p.seed,
      task,
      objective: p.objective,
      onEpoch: async (epoch, metrics) => {
        await send({ method: 'epoch', params: { trial: p.trial, epoch, metrics } });
        const d = await decision(p.trial, epoch);
        if (d.decision === 'prune') {
          pruneReason = d.reason;
          return 'prune';
        }
        return stopRequested ? 'stop' : 'continue';
      },
    });
    history = r.history;
    const status = r.stopReason === 'pruned' ? 'pruned' : r.history.length === 0 ? 'failed' : 'completed';
    result = {
      trial: p.trial,
      status,
      history,
      bestEpoch: r.bestEpoch,
      value: r.value,
      stopReason: r.stopReason === 'pruned' ? undefined : r.stopReason,
      pruneReason,
      error: status === 'failed' ? 'stopped before the first epoch ended' : undefined,
      params,
      durationMs: Date.now() - started,
      numTensors: 0,
      baselineTensors,
    };
    if (status === 'completed' && p.wantWeights) {
      const a = await modelArtifacts(model);
      const w = a.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
      result.weights = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs ?? [], weightData: w };
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
  }
  result.numTensors = tf.memory().numTensors;
  busy = false;
  await send({ method: 'result', params: result });
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
    case 'decision': {
      const key = `${m.params.trial}/${m.params.epoch}`;
      waiting.get(key)?.(m.params);
      waiting.delete(key);
      break;
    }
    case 'stop':
      stopRequested = true;
      break;
  }
});

process.on('disconnect', () => process.exit(0));

