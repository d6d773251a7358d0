// Messages between the orchestrator and its workers. Each is declared once here, with the side that sends
// it. Nothing assumes a shared machine: data is named by the dataset spec, weights travel in the messages.
import type { TrialConfig } from './arch';
import type { SupernetConfig } from './supernet';
import type { Direction, EpochMetrics, MetricName, StopReason } from './events';
import type { Dataset, Task } from './spec';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = 'auto' | BackendName;

/** Orchestrator -> worker: load the backend and the data once, before any trial. */
export interface InitRequest {
  method: 'init';
  params: {
    dataset: Dataset;
    task?: Task;
    baseDir: string;
    seed: number;
    backend: BackendRequest;
    /** A pretrained tfjs layers model under every candidate (`training.backbone`); path absolute. */
    backbone?: { path: string; trainable: boolean; outputLayer?: string };
  };
}

/** Orchestrator -> worker: train one candidate. */
export interface TrainRequest {
  method: 'train';
  params: {
    trial: number;
    config: TrialConfig;
    seed: number;
    objective: { metric: MetricName; direction: Direction };
    /** Return the trained weights with the result (the orchestrator keeps the top k). */
    wantWeights: boolean;
    /** Train to this many epochs in all (a rung of a multi-fidelity pruner) instead of training.epochs. */
    epochs?: number;
    /** Return a checkpoint (the last epoch's weights and the optimizer state) to continue from later. */
    wantCheckpoint?: boolean;
    /** Continue a trial from a checkpoint: its epochs so far, and its saved state. */
    resume?: { history: EpochMetrics[]; checkpoint: Checkpoint };
    /** Start from these (a parent's) weights in every layer whose shape matches. */
    inherit?: ModelArtifactsMessage;
    /** Measure inference latency after training (an objective). */
    measureLatency?: boolean;
    /**
     * The run's time budget: stop between batches once this many milliseconds have passed since the request
     * arrived, keeping the full epochs (the `stop` message does the same; this holds when messages cannot get in).
     */
    deadlineMs?: number;
    /**
     * The run's pruner never stops a trial between epochs: every decision will be `continue`. A queue worker's relay
     * answers the epochs itself (a round trip through Redis per epoch saved); a forked worker waits as usual.
     */
    alwaysContinue?: boolean;
  };
}

/** Orchestrator -> worker: the answer to an `epoch` report: go on, or stop this trial as pruned. */
export interface EpochDecision {
  method: 'decision';
  params: { trial: number; epoch: number; decision: 'continue' | 'prune'; reason?: string };
}

/** Orchestrator -> worker: finish the current epoch, report, and take no new trial (budget time is up). */
export interface StopRequest {
  method: 'stop';
}

/**
 * Orchestrator -> worker: score kept weights on the test set (`dataset.test`), which the worker reads only now, when
 * the run has ended; nothing it trained before saw those samples. Answered with `evaluation`.
 */
export interface EvaluateRequest {
  method: 'evaluate';
  params: {
    trial: number;
    weights: ModelArtifactsMessage;
    batchSize: number;
    /** Score only part `index` of `of` equal parts of the test set (in order), so idle workers share a job. */
    part?: { index: number; of: number };
  };
}

/** Orchestrator -> worker: train the DARTS supernet (from `fromEpoch`, with its checkpoint when resuming). */
export interface SupernetRequest {
  method: 'supernet';
  params: {
    config: SupernetConfig;
    seed: number;
    fromEpoch: number;
    checkpoint?: SupernetCheckpoint;
    /** As TrainRequest's: stop between batches once this many milliseconds have passed. */
    deadlineMs?: number;
  };
}

/** A supernet's state after an epoch: its variables (weights, then alpha) and both optimizers' states. */
export interface SupernetCheckpoint {
  variables: OptimizerStateMessage;
  weightsOptimizer?: OptimizerStateMessage;
  alphaOptimizer?: OptimizerStateMessage;
}

export type ToWorker = InitRequest | TrainRequest | EpochDecision | StopRequest | EvaluateRequest | SupernetRequest;

/** Worker -> orchestrator: initialised. */
export interface Ready {
  method: 'ready';
  params: {
    backend: BackendName;
    reason?: string;
    loadMs: number;
    inputShape: number[];
    outputs: number;
    samples: { train: number; val: number };
    pid: number;
  };
}

/** Worker -> orchestrator: initialisation failed (bad data, no backend); the run cannot go on. */
export interface InitFailed {
  method: 'init-failed';
  params: { error: string };
}

/** Worker -> orchestrator: one epoch done; the worker waits for a `decision`. */
export interface EpochReport {
  method: 'epoch';
  params: { trial: number; epoch: number; metrics: EpochMetrics };
}

/** A model as tfjs saves it: topology JSON plus one binary blob of weights. */
export interface ModelArtifactsMessage {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
}

/** An optimizer's state (optimizer.getWeights()): tensors in order, their data concatenated. */
export interface OptimizerStateMessage {
  className: string;
  specs: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[];
  data: ArrayBuffer;
}

/** Everything needed to continue training a model: its weights after the last epoch and its optimizer's state. */
export interface Checkpoint {
  weights: ModelArtifactsMessage;
  /** Absent when the optimizer cannot export its state: it then restarts (Adamax in tfjs 4.22). */
  optimizer?: OptimizerStateMessage;
}

/** Worker -> orchestrator: the trial ended. */
export interface TrialResult {
  method: 'result';
  params: {
    trial: number;
    status: 'completed' | 'failed' | 'pruned';
    history: EpochMetrics[];
    bestEpoch: number;
    value?: number;
    stopReason?: StopReason | 'stopped';
    pruneReason?: string;
    error?: string;
    params: number;
    durationMs: number;
    /** Live tensors after the trial was cleaned up: equal to `baselineTensors` unless something leaked. */
    numTensors: number;
    baselineTensors: number;
    weights?: ModelArtifactsMessage;
    checkpoint?: Checkpoint;
    latencyMs?: number;
    /** With `inherit`: layers that took the parent's weights, of the layers with weights. */
    inherited?: { layers: number; total: number };
  };
}

/**
 * Worker -> orchestrator: training goes on (sent between batches, at most about once a second). Silence from a
 * busy worker for longer than the watchdog allows means it hung.
 */
export interface BatchProgress {
  method: 'progress';
  params: { trial: number; epoch: number; batch: number };
}

/** Worker -> orchestrator: a line for the log. */
export interface WorkerLog {
  method: 'log';
  params: { level: 'info' | 'warn' | 'error'; message: string };
}

/** Worker -> orchestrator: a test-set score (`loss`, and `accuracy` for classification), or why there is none. */
export interface Evaluation {
  method: 'evaluation';
  params: { trial: number; samples: number; loss?: number; accuracy?: number; error?: string };
}

/**
 * Worker -> orchestrator: one supernet epoch: its metrics, softmax(alpha) per mixed choice, and a checkpoint, except
 * after the last epoch: the derivation needs only alpha, which the journal keeps.
 */
export interface SupernetEpochReport {
  method: 'supernet-epoch';
  params: { epoch: number; metrics: EpochMetrics; alpha: number[][]; checkpoint?: SupernetCheckpoint };
}

/** Worker -> orchestrator: the supernet's training ended (all epochs, a stop, or a failure). */
export interface SupernetResult {
  method: 'supernet-result';
  params: { status: 'completed' | 'stopped' | 'failed'; epochs: number; durationMs: number; error?: string };
}

export type FromWorker = Ready | InitFailed | EpochReport | BatchProgress | TrialResult | WorkerLog | Evaluation | SupernetEpochReport | SupernetResult;

const TO_WORKER = new Set(['init', 'train', 'decision', 'stop', 'evaluate', 'supernet']);
const FROM_WORKER = new Set(['ready', 'init-failed', 'epoch', 'progress', 'result', 'log', 'evaluation', 'supernet-epoch', 'supernet-result']);

export function isToWorker(m: unknown): m is ToWorker {
  return !!m && typeof m === 'object' && TO_WORKER.has((m as { method?: string }).method ?? '');
}

export function isFromWorker(m: unknown): m is FromWorker {
  return (
    !!m &&
    typeof m === 'object' &&
    FROM_WORKER.has((m as { method?: string }).method ?? '') &&
    ((m as { method: string }).method === 'stop' || typeof (m as { params?: unknown }).params === 'object')
  );
}
