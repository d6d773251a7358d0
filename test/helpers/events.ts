// Journal events for tests that reason about runs without running one: a run is a list of events, so a test
// reads like a journal. Times are seconds after T0.
import type { TrialConfig } from '../../src/shared/arch';
import type { EpochMetrics, RunEvent } from '../../src/shared/events';

export const T0 = Date.parse('2026-01-01T10:00:00Z');
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

type Started = Extract<RunEvent, { type: 'run-started' }>;

export function started(s: number, extra: Partial<Started> = {}): RunEvent {
  return {
    type: 'run-started',
    time: at(s),
    runId: 'r',
    name: 'demo',
    specHash: 'h',
    specFile: '/w/demo.nas.json',
    backend: 'wasm',
    strategy: 'random',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    budget: { trials: 4 },
    parallel: 1,
    resumed: false,
    inputShape: [8, 8, 1],
    outputs: 3,
    samples: { train: 240, val: 60 },
    ...extra,
  };
}

/** A block (one conv2d, repeated) and a dense layer: the shape of most example specs. */
export function config(epochs = 3, kernelSize = 3): TrialConfig {
  return {
    arch: {
      kind: 'sequential',
      layers: [
        { type: 'conv2d', source: 'architecture.layers[0].layers[0]', filters: 4, kernelSize, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'flatten', source: 'architecture.layers[1]' },
        { type: 'dense', source: 'architecture.layers[2]', units: 8, activation: 'relu' },
      ],
    } as TrialConfig['arch'],
    training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs },
    params: { 'architecture.layers[0]@0.layers[0].kernelSize': kernelSize },
  };
}

export function trialStarted(s: number, trial: number, epochs = 3): RunEvent {
  return { type: 'trial-started', time: at(s), trial, attempt: 1, worker: 0, config: config(epochs) };
}

export function epoch(s: number, trial: number, e: number, val: number): RunEvent {
  const metrics: EpochMetrics = { loss: 1 - val, val_loss: 1.1 - val, accuracy: val, val_accuracy: val };
  return { type: 'epoch', time: at(s), trial, epoch: e, metrics };
}

type Completed = Extract<RunEvent, { type: 'trial-completed' }>;

/** A trial-completed event of `value` after one epoch; `fields` set the rest (metrics, params, durations, rung). */
export function completedWith(s: number, trial: number, value: number, fields: Partial<Omit<Completed, 'type' | 'time' | 'trial' | 'value'>> = {}): RunEvent {
  return {
    type: 'trial-completed',
    time: at(s),
    trial,
    value,
    bestEpoch: 0,
    metrics: { loss: 1 - value, val_loss: 1.1 - value, val_accuracy: value },
    epochs: 1,
    params: 1234,
    durationMs: 1000,
    stopReason: 'epochs',
    ...fields,
  };
}

export function completed(s: number, trial: number, value: number, epochs = 3): RunEvent {
  return completedWith(s, trial, value, { bestEpoch: epochs - 1, epochs, durationMs: 1000 * epochs });
}

/** A whole trial: started at `s`, one epoch a second, completed with `value`. */
export function trial(s: number, n: number, value: number, epochs = 3): RunEvent[] {
  const out = [trialStarted(s, n, epochs)];
  for (let e = 0; e < epochs; e++) out.push(epoch(s + e + 1, n, e, value));
  out.push(completed(s + epochs, n, value, epochs));
  return out;
}
