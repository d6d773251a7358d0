// `nas-studio bench`: training throughput of every suite network (bench/suite.ts) against the same network in
// PyTorch on one thread (measured in the same run, rounds interleaved), per-kernel profiles, worker start-up,
// memory over many trials, and scaling from one worker to two. Human-readable lines first; the last line is one
// JSON object.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../core/data/dataset';
import { UsageError } from './args';
import { findTorchPython, peerScript, TorchPeer, type PeerInfo } from '../../bench/peer';
import { isNetSpec, parseNetSpec } from '../../bench/netSpec';
import { profileStep } from '../../bench/profile';
import { SUITE, suiteNet } from '../../bench/suite';
import { runSuite, suiteAggregates, suiteTable, type SuiteEntry } from '../../bench/suiteRun';
import { fashionDataset, measureMemory, measureScaling, measureStartup, TASK } from '../../bench/workers';
import type { BackendName } from '../engine/backend';

export interface BenchOptions {
  steps: number;
  rounds: number;
  warmup: number;
  only?: string;
  skipPeer: boolean;
  /** Suite networks to train (and profile); the whole suite for the suite section, the reference CNN for the profile. */
  nets?: string[];
  /** Sections to run; all of them but the profile when none is named. */
  sections: { suite: boolean; startup: boolean; scaling: boolean; memory: boolean; profile: boolean };
  /** Kernels listed per profiled network. */
  profileTop: number;
  memoryTrials: number;
  scalingTrials: number;
  data: string;
}

const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
/** Fashion-MNIST samples each memory and scaling trial sees: small, so 50 trials fit in a few minutes. */
const MEMORY_SUBSET = 3000;
const SCALING_SUBSET = 5000;

function hasTfjsNode(): boolean {
  try {
    require.resolve(['@tensorflow', 'tfjs-node'].join('/'));
    return true;
  } catch {
    return false;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function pickNet(name: string) {
  try {
    return isNetSpec(name) ? parseNetSpec(name) : suiteNet(name);
  } catch (e) {
    throw new UsageError(`--net: ${(e as Error).message}`);
  }
}
const loadavg = () => os.loadavg().map((l) => Number(l.toFixed(2)));

export async function benchCommand(o: BenchOptions, out: (s: string) => void): Promise<number> {
  if (o.only && !BACKENDS.includes(o.only as BackendName)) throw new UsageError(`--only must be one of ${BACKENDS.join(', ')}`);
  const nets = o.nets ? o.nets.map(pickNet) : o.sections.suite ? SUITE : [suiteNet('reference')];
  const images = path.join(o.data, 'train-images-idx3-ubyte.gz');
  if (!fs.existsSync(images)) {
    const note = `no Fashion-MNIST in ${o.data} (apt-get install -y dataset-fashion-mnist, or --data DIR)`;
    out(`nas-studio bench: ${note}`);
    out(JSON.stringify({ backend: null, samples_per_s: null, peer_samples_per_s: null, ratio: null, notes: [note] }));
    return 1;
  }
  const cpus = os.cpus();
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: os.availableParallelism(), memGiB: round1(os.totalmem() / 2 ** 30), node: process.version },
    loadavgBefore: loadavg(),
  };
  out(
    `machine: ${cpus.length} x ${cpus[0]?.model}, ${round1(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const notes: string[] = [];
  const backend = o.only ? (o.only as BackendName) : hasTfjsNode() ? 'tensorflow' : 'wasm';
  if (!o.only && backend === 'wasm') notes.push('tensorflow backend not measured: @tensorflow/tfjs-node is not installed');
  let headline: Record<string, unknown> = { backend: null, samples_per_s: null, peer_samples_per_s: null, ratio: null };

  if (o.sections.suite) {
    const data = loadDataset(fashionDataset(o.data), TASK, process.cwd(), 1);
    let peer: { peer: TorchPeer; info: PeerInfo } | undefined;
    if (!o.skipPeer && backend !== 'cpu') {
      const script = peerScript();
      const found = findTorchPython();
      if (!script) notes.push('PyTorch peer skipped: bench/torch_peer.py not found');
      else if (!found.python) notes.push(`PyTorch peer skipped: ${found.reason}`);
      else {
        peer = await TorchPeer.start(found.python, script, o.data);
        out(`peer: PyTorch ${peer.info.torch} (${peer.info.python}), ${peer.info.threads} thread, BLAS ${peer.info.blas}, malloc ${peer.info.malloc}`);
        if (/^libblas/.test(peer.info.blas)) notes.push('PyTorch uses the reference BLAS (slow dense layers); apt-get install -y libopenblas0 for a fair peer');
      }
    } else if (o.skipPeer) notes.push('PyTorch peer skipped (--skip-peer)');
    // The pure-JS cpu backend needs seconds per batch of a CNN: token steps, and no peer to compare them with.
    const cpuOnly = backend === 'cpu';
    if (cpuOnly) notes.push('cpu backend: pure JavaScript, a token 1 round of 2 steps per network, no PyTorch rounds');
    let entries: SuiteEntry[];
    try {
      entries = await runSuite({
        backend,
        nets,
        data,
        steps: cpuOnly ? Math.min(2, o.steps) : o.steps,
        rounds: cpuOnly ? 1 : o.rounds,
        warmup: cpuOnly ? 0 : o.warmup,
        peer: peer?.peer,
        log: out,
        notes,
      });
    } finally {
      peer?.peer.close();
    }
    out('');
    for (const line of suiteTable(entries)) out(line);
    const aggregates = suiteAggregates(entries);
    if (aggregates.suite_min_ratio !== null)
      out(
        `suite: min ratio ${aggregates.suite_min_ratio}, geometric mean ${aggregates.suite_geomean_ratio} (CPU time: min ${aggregates.suite_min_cpu_ratio}, geometric mean ${aggregates.suite_geomean_cpu_ratio}); load average ${loadavg().join(' ')}`,
      );
    report.suite = entries.map((e) => ({ ...e, backend }));
    Object.assign(report, aggregates);
    if (peer) report.peer = peer.info;
    const first = entries.find((e) => e.name === 'reference') ?? entries[0];
    if (first) {
      headline = {
        backend,
        samples_per_s: first.samples_per_s,
        peer_samples_per_s: first.peer_samples_per_s,
        ratio: first.ratio,
        cpu_ratio: first.cpu_ratio,
        gflops: first.gflops,
      };
    }
  }

  if (o.sections.profile) {
    report.profile = [];
    for (const net of nets) {
      const p = await profileStep(net, backend, Math.max(3, Math.min(o.steps, 10)));
      out(
        `profile ${net.name} (${backend}, batch ${net.batch}): a step takes ${p.stepCpuMs.min.toFixed(1)} ms of CPU at best (median ${p.stepCpuMs.median.toFixed(1)}), ${p.kernelMs.toFixed(1)} ms of it in kernels; the largest:`,
      );
      for (const k of p.kernels.slice(0, o.profileTop)) out(`  ${k.ms.toFixed(2).padStart(7)} ms  ${k.kernel} ${k.shapes}`);
      (report.profile as unknown[]).push({ ...p, kernels: p.kernels.slice(0, 25).map((k) => ({ ...k, ms: Number(k.ms.toFixed(2)) })) });
    }
  }

  const workerBackend = (o.only ?? 'auto') as BackendName | 'auto';
  if (o.sections.startup) {
    const s = await measureStartup(o.data, workerBackend, 3);
    const med = [...s.readyMs].sort((a, b) => a - b)[1] ?? s.readyMs[0];
    report.startup = { backend: s.backend, samples: s.samples, ready_ms: s.readyMs.map(Math.round), load_ms: s.loadMs, median_ready_ms: Math.round(med) };
    out(
      `startup: worker ready (${s.backend} + ${s.samples} Fashion-MNIST samples) in ${s.readyMs.map((m) => Math.round(m)).join(', ')} ms from fork (loadMs ${s.loadMs.join(', ')})`,
    );
  }
  if (o.sections.scaling) {
    out(
      `scaling: the same ${o.scalingTrials}-trial search with 1 and then 2 workers (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    const runs = await measureScaling(o.data, workerBackend, o.scalingTrials, SCALING_SUBSET, [1, 2]);
    const [one, two] = runs;
    const speedup = two.trialsPerHour / one.trialsPerHour;
    report.scaling = {
      runs,
      speedup: Number(speedup.toFixed(2)),
      speedup_with_startup: Number((two.trialsPerHourWithStartup / one.trialsPerHourWithStartup).toFixed(2)),
      loadavg_after: loadavg(),
    };
    for (const r of runs) {
      out(
        `  parallel ${r.parallel}: ${r.completed} trials in ${r.seconds.toFixed(1)} s, ${Math.round(r.trialsPerHour)} trials/hour (${Math.round(r.trialsPerHourWithStartup)} with start-up); ` +
          `workers busy ${r.workerCpuPerWall.toFixed(2)} CPUs on average, ${Math.round(r.trialsPerCpuHour)} trials per worker CPU-hour`,
      );
    }
    const cpuEfficiency = two.trialsPerCpuHour / one.trialsPerCpuHour;
    (report.scaling as Record<string, unknown>).cpu_efficiency = Number(cpuEfficiency.toFixed(2));
    out(
      `scaling: 2 workers give ${speedup.toFixed(2)}x the trials/hour of 1; per CPU-second a trial costs ${(1 / cpuEfficiency).toFixed(2)}x as much with 2 (load average now ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    if (two.workerCpuPerWall < 1.8)
      notes.push(
        `scaling: the two workers got ${two.workerCpuPerWall.toFixed(2)} CPUs between them; other processes held the rest, so the speed-up is bounded by that, not by the workers`,
      );
  }
  if (o.sections.memory) {
    out(`memory: ${o.memoryTrials} trials of small CNNs, 1 epoch on a ${MEMORY_SUBSET}-sample subset each, in one worker`);
    const m = await measureMemory(o.data, workerBackend, o.memoryTrials, MEMORY_SUBSET, out);
    report.memory = {
      ...m,
      maxRssMiB: Math.round(m.maxRssMiB),
      peakRssMiB: Math.round(m.peakRssMiB),
      afterFirstMiB: Math.round(m.afterFirstMiB),
      afterLastMiB: Math.round(m.afterLastMiB),
      seconds: round1(m.seconds),
    };
    out(
      `memory: max RSS ${Math.round(m.maxRssMiB)} MiB sampled, ${Math.round(m.peakRssMiB)} MiB kernel high-water mark; ${Math.round(m.afterFirstMiB)} MiB after trial 1, ${Math.round(m.afterLastMiB)} MiB after trial ${m.trials} (${m.completed} completed, ${m.seconds.toFixed(0)} s)`,
    );
  }
  report.loadavgAfter = loadavg();
  for (const n of notes) out(`note: ${n}`);
  out(JSON.stringify({ ...headline, ...report, notes }));
  return 0;
}
