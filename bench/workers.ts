// Worker-level figures: start-up time (fork to `ready`), resident memory over many trials, and how trials per
// hour scale from one worker to two through the real Orchestrator.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrialConfig } from '../src/shared/arch';
import type { Dataset, NasSpec, Task } from '../src/shared/spec';
import type { BackendRequest, FromWorker, InitRequest, TrialResult } from '../src/shared/protocol';
import { checkText } from '../src/core/check';
import { Orchestrator } from '../src/engine/orchestrator';
import { defaultWorkerEntry, WorkerHandle } from '../src/engine/pool';

export const TASK: Task = { type: 'classification', classes: 10, inputShape: [28, 28, 1] } as Task;

export function fashionDataset(dir: string, subset?: number): Dataset {
  return {
    source: 'idx',
    images: path.join(dir, 'train-images-idx3-ubyte.gz'),
    labels: path.join(dir, 'train-labels-idx1-ubyte.gz'),
    validationSplit: 0.1,
    ...(subset ? { subset } : {}),
  } as Dataset;
}

/** A worker we drive message by message, answering every epoch with `continue`. */
class DrivenWorker {
  readonly handle: WorkerHandle;
  private waiters: Array<(m: FromWorker) => boolean> = [];
  exitInfo?: string;

  constructor() {
    this.handle = new WorkerHandle(
      0,
      defaultWorkerEntry(),
      (w, m) => {
        if (m.method === 'epoch') w.send({ method: 'decision', params: { trial: m.params.trial, epoch: m.params.epoch, decision: 'continue' } });
        this.waiters = this.waiters.filter((keep) => keep(m));
      },
      (_w, code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        for (const keep of this.waiters)
          keep({ method: 'init-failed', params: { error: `worker ${this.exitInfo}: ${this.handle.stderrTail.trim().split('\n').slice(-3).join(' | ')}` } });
        this.waiters = [];
      },
    );
  }

  /** The next message of one of `methods`; throws on init-failed or a dead worker. */
  next<M extends FromWorker['method']>(...methods: M[]): Promise<Extract<FromWorker, { method: M }>> {
    return new Promise((resolve, reject) => {
      this.waiters.push((m) => {
        if (m.method === 'init-failed') reject(new Error(m.params.error));
        else if ((methods as string[]).includes(m.method)) resolve(m as Extract<FromWorker, { method: M }>);
        else return true;
        return false;
      });
    });
  }

  close(): void {
    this.handle.kill();
  }
}

function initParams(dataset: Dataset, backend: BackendRequest): InitRequest['params'] {
  return { dataset, task: TASK, baseDir: process.cwd(), seed: 1, backend };
}

export interface StartupResult {
  /** Fork to `ready`, per start, in milliseconds. */
  readyMs: number[];
  /** The worker's own figure: backend initialised and data decoded (the `ready` message's loadMs). */
  loadMs: number[];
  backend: string;
  samples: number;
}

export async function measureStartup(dataDir: string, backend: BackendRequest, starts: number): Promise<StartupResult> {
  const r: StartupResult = { readyMs: [], loadMs: [], backend: '', samples: 0 };
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const w = new DrivenWorker();
    try {
      const ready = w.next('ready');
      w.handle.send({ method: 'init', params: initParams(fashionDataset(dataDir), backend) });
      const m = await ready;
      r.readyMs.push(performance.now() - t0);
      r.loadMs.push(m.params.loadMs);
      r.backend = m.params.backend;
      r.samples = m.params.samples.train + m.params.samples.val;
    } finally {
      w.close();
    }
  }
  return r;
}

function rssKiB(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Small CNNs of varied widths, so trials build differently shaped models as a search would. */
export function smallCnn(i: number): TrialConfig {
  const f = [8, 16, 12][i % 3];
  const u = [32, 64][i % 2];
  const src = (k: number) => ({ source: `architecture.layers[${k}]` });
  return {
    arch: {
      kind: 'sequential',
      layers: [
        { type: 'conv2d', filters: f, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', ...src(0) },
        { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid', ...src(1) },
        { type: 'conv2d', filters: 2 * f, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', ...src(2) },
        { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid', ...src(3) },
        { type: 'flatten', ...src(4) },
        { type: 'dense', units: u, activation: 'relu', ...src(5) },
      ],
    },
    training: { optimizer: 'adam', learningRate: 1e-3, batchSize: 128, epochs: 1 },
    params: { filters: f, units: u },
  };
}

export interface MemoryResult {
  trials: number;
  completed: number;
  /** Resident set size in MiB: the largest of samples taken every 100 ms, and the kernel's own high-water mark. */
  maxRssMiB: number;
  peakRssMiB: number;
  afterFirstMiB: number;
  afterLastMiB: number;
  pid: number;
  seconds: number;
}

export async function measureMemory(dataDir: string, backend: BackendRequest, trials: number, subset: number, log: (s: string) => void): Promise<MemoryResult> {
  const w = new DrivenWorker();
  const pid = w.handle.pid ?? 0;
  let maxRss = 0;
  const sampler = setInterval(() => {
    const m = rssKiB(pid);
    if (m) maxRss = Math.max(maxRss, m.rss);
  }, 100);
  const t0 = performance.now();
  const r: MemoryResult = { trials, completed: 0, maxRssMiB: 0, peakRssMiB: 0, afterFirstMiB: 0, afterLastMiB: 0, pid, seconds: 0 };
  try {
    const ready = w.next('ready');
    w.handle.send({ method: 'init', params: initParams(fashionDataset(dataDir, subset), backend) });
    await ready;
    for (let i = 0; i < trials; i++) {
      const done = w.next('result');
      w.handle.send({
        method: 'train',
        params: { trial: i, config: smallCnn(i), seed: 1000 + i, objective: { metric: 'val_accuracy', direction: 'maximize' }, wantWeights: false },
      });
      const res = (await done) as { params: TrialResult['params'] };
      if (res.params.status === 'completed') r.completed++;
      const now = rssKiB(pid)?.rss ?? NaN;
      maxRss = Math.max(maxRss, now);
      if (i === 0) r.afterFirstMiB = now / 1024;
      r.afterLastMiB = now / 1024;
      if ((i + 1) % 10 === 0) log(`  memory: ${i + 1}/${trials} trials, RSS ${(now / 1024).toFixed(0)} MiB`);
    }
    r.peakRssMiB = (rssKiB(pid)?.hwm ?? NaN) / 1024;
  } finally {
    clearInterval(sampler);
    w.close();
  }
  r.maxRssMiB = maxRss / 1024;
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}

export interface ScalingRun {
  parallel: number;
  completed: number;
  /** CPU seconds the workers used per second of the run: ideally `parallel`; less means they waited for a core. */
  workerCpuPerWall: number;
  /** Trials per worker CPU-hour: equal across runs when parallel workers cost nothing extra. */
  trialsPerCpuHour: number;
  /** From the first trial's start to the run's end: the search's throughput, start-up excluded. */
  trialsPerHour: number;
  /** Including worker start-up. */
  trialsPerHourWithStartup: number;
  seconds: number;
}

/** CPU time (user + system, seconds) of each live child of this process, by pid. */
function childCpuSeconds(into: Map<number, number>): void {
  const tick = 100; // USER_HZ on Linux
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== process.pid) continue;
      into.set(Number(e), (Number(f[11]) + Number(f[12])) / tick);
    } catch {
      // gone between the listing and the read
    }
  }
}

function searchSpec(dataDir: string, trials: number, subset: number): string {
  // A fixed small space and the random strategy: both runs train the same configurations.
  const spec = {
    name: 'bench-scaling',
    dataset: fashionDataset(dataDir, subset),
    task: TASK,
    architecture: {
      type: 'sequential',
      layers: [
        { type: 'conv2d', filters: { choice: [8, 16] }, kernelSize: 3 },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 16, kernelSize: 3 },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: { choice: [32, 64] } },
      ],
    },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 1 },
    search: { strategy: 'random', budget: { trials }, seed: 7, keepTop: 1 },
  };
  return JSON.stringify(spec, null, 2);
}

export async function measureScaling(dataDir: string, backend: BackendRequest, trials: number, subset: number, parallels: number[]): Promise<ScalingRun[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-studio-bench-'));
  const runs: ScalingRun[] = [];
  try {
    const specFile = path.join(dir, 'scaling.nas.json');
    const text = searchSpec(dataDir, trials, subset);
    fs.writeFileSync(specFile, text);
    const checked = checkText(text, { file: specFile });
    if (!checked.spec) throw new Error(`bench search spec is invalid: ${checked.diagnostics.map((d) => d.message).join('; ')}`);
    for (const parallel of parallels) {
      let firstStart: number | undefined;
      const t0 = Date.now();
      const orch = new Orchestrator({
        spec: checked.spec as NasSpec,
        specText: text,
        specFile,
        runsDir: path.join(dir, 'runs'),
        parallel,
        backend,
        onEvent: (e) => {
          if (e.type === 'trial-started') firstStart ??= Date.now();
        },
      });
      const cpu = new Map<number, number>();
      const sampler = setInterval(() => childCpuSeconds(cpu), 200);
      const outcome = await orch.run().finally(() => clearInterval(sampler));
      const end = Date.now();
      const cpuSeconds = [...cpu.values()].reduce((a, b) => a + b, 0);
      if (outcome.reason === 'error') throw new Error(`scaling run failed: ${outcome.message}`);
      const completed = [...outcome.state.trials.values()].filter((t) => t.status === 'completed').length;
      runs.push({
        parallel,
        completed,
        trialsPerHour: (completed * 3_600_000) / (end - (firstStart ?? t0)),
        trialsPerHourWithStartup: (completed * 3_600_000) / (end - t0),
        seconds: (end - t0) / 1000,
        workerCpuPerWall: cpuSeconds / ((end - t0) / 1000),
        trialsPerCpuHour: (completed * 3600) / cpuSeconds,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}
