// `nas-studio bench`: training throughput of the reference CNN on each backend against PyTorch on one thread
// (measured in the same run, rounds interleaved), plus worker start-up, memory over many trials, and
// scaling from one worker to two. Human-readable lines first; the last line is one JSON object.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../core/data/dataset';
import { UsageError } from './args';
import { findTorchPython, peerScript, TorchPeer, type PeerInfo } from '../../bench/peer';
import { profileStep } from '../../bench/profile';
import { measureThroughput, pairedRatio, samplesPerSecond, type ThroughputResult } from '../../bench/throughput';
import { fashionDataset, measureMemory, measureScaling, measureStartup, TASK } from '../../bench/workers';
import type { BackendName } from '../engine/backend';

export interface BenchOptions {
  steps: number;
  rounds: number;
  warmup: number;
  only?: string;
  skipPeer: boolean;
  /** Sections to run; all of them but the profile when none is named. */
  sections: { throughput: boolean; startup: boolean; scaling: boolean; memory: boolean; profile: boolean };
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
const loadavg = () => os.loadavg().map((l) => Number(l.toFixed(2)));

export async function benchCommand(o: BenchOptions, out: (s: string) => void): Promise<number> {
  if (o.only && !BACKENDS.includes(o.only as BackendName)) throw new UsageError(`--only must be one of ${BACKENDS.join(', ')}`);
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
  let headline: Record<string, unknown> = { backend: null, samples_per_s: null, peer_samples_per_s: null, ratio: null };

  if (o.sections.throughput) {
    const data = loadDataset(fashionDataset(o.data), TASK, process.cwd(), 1);
    let peer: { peer: TorchPeer; info: PeerInfo } | undefined;
    if (!o.skipPeer) {
      const script = peerScript();
      const found = findTorchPython();
      if (!script) notes.push('PyTorch peer skipped: bench/torch_cnn.py not found');
      else if (!found.python) notes.push(`PyTorch peer skipped: ${found.reason}`);
      else {
        peer = await TorchPeer.start(found.python, script, o.data, 128);
        out(`peer: PyTorch ${peer.info.torch} (${peer.info.python}), ${peer.info.threads} thread, BLAS ${peer.info.blas}`);
        if (/^libblas/.test(peer.info.blas)) notes.push('PyTorch uses the reference BLAS (slow dense layers); apt-get install -y libopenblas0 for a fair peer');
      }
    } else notes.push('PyTorch peer skipped (--skip-peer)');

    const backends = o.only ? [o.only as BackendName] : BACKENDS;
    const results: ThroughputResult[] = [];
    try {
      for (const backend of backends) {
        if (backend === 'tensorflow' && !hasTfjsNode()) {
          notes.push('tensorflow backend skipped: @tensorflow/tfjs-node is not installed');
          continue;
        }
        // The pure-JS cpu backend needs seconds per batch of this CNN: a token run, and only when asked for.
        if (backend === 'cpu' && o.only !== 'cpu') {
          notes.push('cpu backend skipped: pure JavaScript, two orders of magnitude slower than wasm on this CNN (--only cpu measures a token 2 steps)');
          continue;
        }
        const cpuOnly = backend === 'cpu';
        out(
          `${backend}: reference CNN, batch 128, ${cpuOnly ? 1 : o.rounds} round(s) of ${cpuOnly ? Math.min(2, o.steps) : o.steps} steps after ${cpuOnly ? 0 : o.warmup} warm-up steps`,
        );
        const r = await measureThroughput({
          backend,
          data,
          batch: 128,
          steps: cpuOnly ? Math.min(2, o.steps) : o.steps,
          rounds: cpuOnly ? 1 : o.rounds,
          warmupSteps: cpuOnly ? 0 : o.warmup,
          // Every real backend gets its own interleaved PyTorch rounds; the cpu backend's token steps would only
          // add noise to a ratio nobody needs.
          peer: cpuOnly ? undefined : peer?.peer,
          log: out,
        });
        results.push(r);
      }
    } finally {
      peer?.peer.close();
    }
    const summaries = results.map((r) => {
      const sps = samplesPerSecond(r.rounds, r.steps, r.batch);
      const cpuSps = samplesPerSecond(r.rounds, r.steps, r.batch, 'cpuMs');
      const s: Record<string, unknown> = {
        backend: r.backend,
        samples_per_s: Math.round(sps),
        cpu_samples_per_s: Math.round(cpuSps),
        gflops: round1((sps * r.flopsPerSample) / 1e9),
        mflop_per_sample: round1(r.flopsPerSample / 1e6),
        rounds: r.rounds.length,
        steps_per_round: r.steps,
        last_loss: Number(r.rounds[r.rounds.length - 1]?.loss.toFixed(4)),
      };
      if (r.peerRounds.length) {
        const psps = samplesPerSecond(r.peerRounds, r.steps, r.batch);
        Object.assign(s, {
          peer_samples_per_s: Math.round(psps),
          peer_cpu_samples_per_s: Math.round(samplesPerSecond(r.peerRounds, r.steps, r.batch, 'cpuMs')),
          peer_gflops: round1((psps * r.flopsPerSample) / 1e9),
          ratio: Number(pairedRatio(r.rounds, r.peerRounds).toFixed(3)),
          cpu_ratio: Number(pairedRatio(r.rounds, r.peerRounds, 'cpuMs').toFixed(3)),
          peer_last_loss: Number(r.peerRounds[r.peerRounds.length - 1]?.loss.toFixed(4)),
        });
      }
      // A broken kernel can leave throughput intact and learning gone: say so rather than report a fast nothing.
      // Judged only after enough steps to have learnt something.
      const trained = r.rounds.length * r.steps;
      if (trained >= 30 && !(r.rounds[r.rounds.length - 1]?.loss < 2.0))
        notes.push(`${r.backend}: the loss stayed at ${s.last_loss} (ln 10 = 2.303 is chance): training is not learning`);
      out(
        `${r.backend}: ${s.samples_per_s} samples/s (${s.gflops} GFLOP/s at ${s.mflop_per_sample} MFLOP per training sample)` +
          (r.peerRounds.length ? `; PyTorch 1 thread ${s.peer_samples_per_s} samples/s; ratio ${s.ratio} (CPU-time ratio ${s.cpu_ratio})` : ''),
      );
      return s;
    });
    report.throughput = summaries;
    if (peer) report.peer = peer.info;
    const first = summaries[0];
    if (first) {
      headline = {
        backend: first.backend,
        samples_per_s: first.samples_per_s,
        peer_samples_per_s: first.peer_samples_per_s ?? null,
        ratio: first.ratio ?? null,
        cpu_ratio: first.cpu_ratio ?? null,
        gflops: first.gflops,
      };
    }
  }

  if (o.sections.profile) {
    const backend = (o.only ?? 'wasm') as BackendName;
    const p = await profileStep(backend, Math.max(3, Math.min(o.steps, 10)));
    out(
      `profile (${backend}): a step takes ${p.stepCpuMs.min.toFixed(1)} ms of CPU at best (median ${p.stepCpuMs.median.toFixed(1)}), ${p.kernelMs.toFixed(1)} ms of it in kernels; the largest:`,
    );
    for (const k of p.kernels.slice(0, 15)) out(`  ${k.ms.toFixed(2).padStart(7)} ms  ${k.kernel} ${k.shapes}`);
    report.profile = { ...p, kernels: p.kernels.slice(0, 25).map((k) => ({ ...k, ms: Number(k.ms.toFixed(2)) })) };
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
