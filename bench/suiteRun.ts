// The suite section of `nas-studio bench`: every selected network trained on one backend against its PyTorch twin,
// network after network, each network's rounds interleaved with the peer's. Prints a table and returns what the
// JSON line carries.
import type { LoadedData } from '../src/core/data/dataset';
import type { BackendName } from '../src/engine/backend';
import type { TorchPeer } from './peer';
import type { SuiteNet } from './suite';
import { measureThroughput, pairedRatio, samplesPerSecond, type ThroughputResult } from './throughput';

export interface SuiteOptions {
  backend: BackendName;
  nets: SuiteNet[];
  data: LoadedData;
  steps: number;
  rounds: number;
  warmup: number;
  peer?: TorchPeer;
  log: (s: string) => void;
  notes: string[];
}

/** One network's line of the JSON `suite` array. */
export interface SuiteEntry {
  name: string;
  samples_per_s: number;
  peer_samples_per_s: number | null;
  /** Median over rounds of (PyTorch's round wall time / ours), each pair run back to back. */
  ratio: number | null;
  /** The same from process CPU time: what each side cost, less sensitive to other processes on the cores. */
  cpu_ratio: number | null;
  cpu_samples_per_s: number;
  peer_cpu_samples_per_s: number | null;
  gflops: number;
  mflop_per_sample: number;
  params: number;
  peer_params: number | null;
  batch: number;
  last_loss: number;
  peer_last_loss: number | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Number(x.toFixed(3));

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export function summarise(r: ThroughputResult, notes: string[]): SuiteEntry {
  const sps = samplesPerSecond(r.rounds, r.steps, r.batch);
  const peered = r.peerRounds.length > 0;
  const last = r.rounds[r.rounds.length - 1]?.loss;
  const e: SuiteEntry = {
    name: r.net,
    samples_per_s: Math.round(sps),
    peer_samples_per_s: peered ? Math.round(samplesPerSecond(r.peerRounds, r.steps, r.batch)) : null,
    ratio: peered ? round3(pairedRatio(r.rounds, r.peerRounds)) : null,
    cpu_ratio: peered ? round3(pairedRatio(r.rounds, r.peerRounds, 'cpuMs')) : null,
    cpu_samples_per_s: Math.round(samplesPerSecond(r.rounds, r.steps, r.batch, 'cpuMs')),
    peer_cpu_samples_per_s: peered ? Math.round(samplesPerSecond(r.peerRounds, r.steps, r.batch, 'cpuMs')) : null,
    gflops: round1((sps * r.flopsPerSample) / 1e9),
    mflop_per_sample: round1(r.flopsPerSample / 1e6),
    params: r.params,
    peer_params: r.peerParams ?? null,
    batch: r.batch,
    last_loss: Number(last?.toFixed(4)),
    peer_last_loss: peered ? Number(r.peerRounds[r.peerRounds.length - 1].loss.toFixed(4)) : null,
  };
  if (r.peerParams !== undefined && r.peerParams !== r.params)
    notes.push(`${r.net}: PyTorch's twin has ${r.peerParams} trainable parameters, ours ${r.params}: the two networks differ, its ratio means little`);
  // A broken kernel can leave throughput intact and learning gone: say so rather than report a fast nothing.
  // Not when PyTorch's twin is at chance too: some networks (mobilenet) sit there for their first ~50 steps.
  const peerLast = r.peerRounds[r.peerRounds.length - 1]?.loss;
  if (r.rounds.length * r.steps >= 30 && !(last < 2.0) && !(peered && !(peerLast < 2.0)))
    notes.push(`${r.net}: the loss stayed at ${e.last_loss} (ln 10 = 2.303 is chance): training is not learning`);
  return e;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function suiteTable(entries: SuiteEntry[]): string[] {
  const w = Math.max(8, ...entries.map((e) => e.name.length));
  const lines = [
    `${'network'.padEnd(w)}  ${pad('ours/s', 8)}  ${pad('torch/s', 8)}  ${pad('ratio', 6)}  ${pad('cpu', 6)}  ${pad('GFLOP/s', 7)}  ${pad('params', 9)}  loss ours/torch`,
  ];
  for (const e of entries) {
    const f = (x: number | null, d = 3) => (x === null ? '-' : x.toFixed(d));
    lines.push(
      `${e.name.padEnd(w)}  ${pad(e.samples_per_s, 8)}  ${pad(e.peer_samples_per_s ?? '-', 8)}  ${pad(f(e.ratio), 6)}  ${pad(f(e.cpu_ratio), 6)}  ${pad(e.gflops, 7)}  ${pad(e.params, 9)}  ${e.last_loss.toFixed(2)}/${e.peer_last_loss === null ? '-' : e.peer_last_loss.toFixed(2)}`,
    );
  }
  return lines;
}

/** The suite's aggregates for the JSON line; null without a peer. */
export function suiteAggregates(entries: SuiteEntry[]): Record<string, number | null> {
  const of = (k: 'ratio' | 'cpu_ratio') => entries.map((e) => e[k]).filter((x): x is number => x !== null && x > 0);
  const agg = (xs: number[], f: (xs: number[]) => number) => (xs.length && xs.length === entries.length ? round3(f(xs)) : null);
  return {
    suite_min_ratio: agg(of('ratio'), (xs) => Math.min(...xs)),
    suite_geomean_ratio: agg(of('ratio'), geomean),
    suite_min_cpu_ratio: agg(of('cpu_ratio'), (xs) => Math.min(...xs)),
    suite_geomean_cpu_ratio: agg(of('cpu_ratio'), geomean),
  };
}

export async function runSuite(o: SuiteOptions): Promise<SuiteEntry[]> {
  const entries: SuiteEntry[] = [];
  for (const net of o.nets) {
    o.log(`${net.name}: ${net.description}; ${o.rounds} round(s) of ${o.steps} steps after ${o.warmup} warm-up steps on ${o.backend}`);
    const r = await measureThroughput({
      backend: o.backend,
      net,
      data: o.data,
      steps: o.steps,
      rounds: o.rounds,
      warmupSteps: o.warmup,
      peer: o.peer,
      log: o.log,
    });
    const e = summarise(r, o.notes);
    o.log(
      `${net.name}: ${e.samples_per_s} samples/s (${e.gflops} GFLOP/s at ${e.mflop_per_sample} MFLOP per training sample)` +
        (e.ratio === null ? '' : `; PyTorch 1 thread ${e.peer_samples_per_s} samples/s; ratio ${e.ratio} (CPU-time ratio ${e.cpu_ratio})`),
    );
    entries.push(e);
  }
  return entries;
}
