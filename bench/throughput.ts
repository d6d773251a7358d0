// Training throughput of one suite network on one backend, through the same trainer a search uses, in rounds
// interleaved with the PyTorch peer's (the same network, built from the same description) so both see the same
// load on a shared machine.
import * as tf from '@tensorflow/tfjs';
import type { LoadedData } from '../src/core/data/dataset';
import { archCost } from '../src/core/shapes';
import { initBackend, type BackendName } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { train } from '../src/engine/trainer';
import type { TorchPeer } from './peer';
import type { SuiteNet } from './suite';

/** Trainable parameters (what PyTorch's parameters() counts; Keras also counts batch norm's moving statistics). */
export function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

export interface Round {
  ms: number;
  cpuMs: number;
  loss: number;
}

export interface ThroughputResult {
  net: string;
  backend: BackendName;
  /** Trainable parameters of ours and of the peer's twin (undefined without a peer). */
  params: number;
  peerParams?: number;
  batch: number;
  steps: number;
  rounds: Round[];
  peerRounds: Round[];
  /** Training FLOPs of one sample: 3x the forward pass (forward, input gradient, weight gradient). */
  flopsPerSample: number;
}

export interface ThroughputOptions {
  backend: BackendName;
  net: SuiteNet;
  data: LoadedData;
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
  const batch = o.net.batch;
  const inputShape = o.net.inputShape ?? o.data.inputShape;
  const sample = inputShape.reduce((a, b) => a * b, 1);
  if (sample !== o.data.inputShape.reduce((a, b) => a * b, 1))
    throw new Error(`${o.net.name}: input ${inputShape} does not hold a ${o.data.inputShape} sample`);
  const flopsPerSample = 3 * archCost(o.net.arch, inputShape, o.data.classes).flops;
  const model = buildModel(o.net.arch, inputShape, o.data.classes, 'classification', 1);
  // One round's samples, taken in turn from the training split so rounds see different data.
  const perRound = o.steps * batch;
  let cursor = 0;
  const next = (count: number) => {
    const x = new Float32Array(count * sample);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++, cursor = (cursor + 1) % o.data.train.length) {
      const at = o.data.train[cursor];
      x.set(o.data.x.subarray(at * sample, (at + 1) * sample), i * sample);
      y[i] = o.data.y[at];
    }
    return tf.tidy(() => ({ x: tf.tensor(x, [count, ...inputShape]), y: tf.oneHot(tf.tensor1d(y, 'int32'), o.data.classes).toFloat() }));
  };
  // A token validation set: the trainer always validates, and this keeps that to a fraction of a round.
  const val = next(batch);
  const training = { optimizer: 'adam' as const, learningRate: 1e-3, batchSize: batch, epochs: 1 };
  const runRound = async (steps: number): Promise<Round> => {
    const data = next(steps * batch);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const r = await train(model, { trainX: data.x, trainY: data.y, valX: val.x, valY: val.y }, training, { seed: 1 });
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    tf.dispose([data.x, data.y]);
    return { ms, cpuMs: (used.user + used.system) / 1000, loss: r.history[0]?.loss ?? NaN };
  };

  const result: ThroughputResult = {
    net: o.net.name,
    backend: o.backend,
    params: trainableParams(model),
    batch,
    steps: o.steps,
    rounds: [],
    peerRounds: [],
    flopsPerSample,
  };
  try {
    if (o.peer) result.peerParams = (await o.peer.build({ arch: o.net.arch, inputShape, classes: o.data.classes, batch }, true)).params;
    if (o.warmupSteps > 0) {
      await runRound(o.warmupSteps);
      if (o.peer) await o.peer.train(o.warmupSteps);
    }
    for (let i = 0; i < o.rounds; i++) {
      const ours = await runRound(o.steps);
      result.rounds.push(ours);
      let line = `  ${o.net.name} round ${i + 1}/${o.rounds}: ${((perRound * 1000) / ours.ms).toFixed(0)} samples/s (loss ${ours.loss.toFixed(3)})`;
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
