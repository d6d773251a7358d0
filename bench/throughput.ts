// Training throughput of the reference CNN on one backend, through the same trainer a search uses, in rounds
// interleaved with the PyTorch peer's so both see the same load on a shared machine.
import * as tf from '@tensorflow/tfjs';
import type { LoadedData } from '../src/core/data/dataset';
import { archCost } from '../src/core/shapes';
import { initBackend, type BackendName } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { train } from '../src/engine/trainer';
import type { ConcreteArch, ConcreteLayer } from '../src/shared/arch';
import type { TorchPeer } from './peer';

const layer = (l: Omit<ConcreteLayer, 'source'>, i: number) => ({ ...l, source: `architecture.layers[${i}]` }) as ConcreteLayer;

/** conv3x3(32,same)-relu-maxpool2-conv3x3(64,same)-relu-maxpool2-flatten-dense128-relu; the builder adds dense10. */
export const REFERENCE_CNN: ConcreteArch = {
  kind: 'sequential',
  layers: [
    { type: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
  ].map((l, i) => layer(l as Omit<ConcreteLayer, 'source'>, i)),
};

export interface Round {
  ms: number;
  cpuMs: number;
  loss: number;
}

export interface ThroughputResult {
  backend: BackendName;
  batch: number;
  steps: number;
  rounds: Round[];
  peerRounds: Round[];
  /** Training FLOPs of one sample: 3x the forward pass (forward, input gradient, weight gradient). */
  flopsPerSample: number;
}

export interface ThroughputOptions {
  backend: BackendName;
  data: LoadedData;
  batch: number;
  steps: number;
  rounds: number;
  warmupSteps: number;
  peer?: TorchPeer;
  log: (s: string) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function samplesPerSecond(rounds: Round[], steps: number, batch: number, clock: 'ms' | 'cpuMs' = 'ms'): number {
  return median(rounds.map((r) => (steps * batch * 1000) / r[clock]));
}

/** Ours over the peer's, round by round (each pair ran back to back), then the median. */
export function pairedRatio(ours: Round[], peer: Round[], clock: 'ms' | 'cpuMs' = 'ms'): number {
  return median(ours.slice(0, peer.length).map((r, i) => peer[i][clock] / r[clock]));
}

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  await initBackend(o.backend);
  const [h, w, c] = o.data.inputShape;
  const sample = h * w * c;
  const flopsPerSample = 3 * archCost(REFERENCE_CNN, [h, w, c], o.data.classes).flops;
  const model = buildModel(REFERENCE_CNN, o.data.inputShape, o.data.classes, 'classification', 1);
  // One round's samples, taken in turn from the training split so rounds see different data.
  const perRound = o.steps * o.batch;
  let cursor = 0;
  const next = (count: number) => {
    const x = new Float32Array(count * sample);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++, cursor = (cursor + 1) % o.data.train.length) {
      const at = o.data.train[cursor];
      x.set(o.data.x.subarray(at * sample, (at + 1) * sample), i * sample);
      y[i] = o.data.y[at];
    }
    return tf.tidy(() => ({ x: tf.tensor4d(x, [count, h, w, c]), y: tf.oneHot(tf.tensor1d(y, 'int32'), o.data.classes).toFloat() }));
  };
  // A token validation set: the trainer always validates, and this keeps that to a fraction of a round.
  const val = next(o.batch);
  const training = { optimizer: 'adam' as const, learningRate: 1e-3, batchSize: o.batch, epochs: 1 };
  const runRound = async (steps: number): Promise<Round> => {
    const batch = next(steps * o.batch);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const r = await train(model, { trainX: batch.x, trainY: batch.y, valX: val.x, valY: val.y }, training, { seed: 1 });
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    tf.dispose([batch.x, batch.y]);
    return { ms, cpuMs: (used.user + used.system) / 1000, loss: r.history[0]?.loss ?? NaN };
  };

  const result: ThroughputResult = { backend: o.backend, batch: o.batch, steps: o.steps, rounds: [], peerRounds: [], flopsPerSample };
  try {
    if (o.warmupSteps > 0) {
      await runRound(o.warmupSteps);
      if (o.peer) await o.peer.train(o.warmupSteps);
    }
    for (let i = 0; i < o.rounds; i++) {
      const ours = await runRound(o.steps);
      result.rounds.push(ours);
      let line = `  ${o.backend} round ${i + 1}/${o.rounds}: ${((perRound * 1000) / ours.ms).toFixed(0)} samples/s (loss ${ours.loss.toFixed(3)})`;
      if (o.peer) {
        const theirs = await o.peer.train(o.steps);
        result.peerRounds.push(theirs);
        line += `; PyTorch ${((perRound * 1000) / theirs.ms).toFixed(0)} samples/s (loss ${theirs.loss.toFixed(3)})`;
      }
      o.log(line);
    }
  } finally {
    model.dispose();
    tf.dispose([val.x, val.y]);
  }
  return result;
}
