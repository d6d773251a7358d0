// Per-kernel cost of one training step of a suite network, each kernel instance's minimum over several steps.
// Kernels are timed in process CPU time, not wall time: on a shared machine a kernel's wall time includes waiting
// for a core, and the minimum over a few steps does not remove that when the load is high. Composite kernels that
// call other kernels are charged as one (the outermost call), so the figures add up to the step.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { categoricalCrossentropy } from '../src/engine/kernels/crossEntropy';
import type { SuiteNet } from './suite';

export interface KernelTime {
  kernel: string;
  shapes: string;
  ms: number;
}

export interface StepProfile {
  net: string;
  backend: BackendName;
  /** CPU time of a whole step (trainOnBatch), minimum and median over the steps. */
  stepCpuMs: { min: number; median: number };
  /** Sum of the kernels' minima: what is left of a step is the engine's own bookkeeping. */
  kernelMs: number;
  kernels: KernelTime[];
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Wraps every kernel of `backend` to record (name, input shapes, CPU ms) per outermost call; `restore` undoes it. */
function instrument(backend: string): { calls: Array<[string, number]>; restore(): void } {
  const calls: Array<[string, number]> = [];
  const originals: Array<[tf.KernelConfig, tf.KernelFunc]> = [];
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    originals.push([config, inner]);
    // The registry hands out its own config objects, so wrapping in place reaches every caller, ours included.
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      if (depth++ > 0) {
        try {
          return inner(args);
        } finally {
          depth--;
        }
      }
      const start = cpuNow();
      try {
        return inner(args);
      } finally {
        depth--;
        const shapes = Object.values(args.inputs).map((t) => (t ? t.shape : null));
        calls.push([`${config.kernelName} ${JSON.stringify(shapes)}`, cpuNow() - start]);
      }
    };
  }
  return { calls, restore: () => originals.forEach(([c, f]) => ((c as { kernelFunc: tf.KernelFunc }).kernelFunc = f)) };
}

export async function profileStep(net: SuiteNet, backend: BackendName, steps: number): Promise<StepProfile> {
  await initBackend(backend);
  const batch = net.batch;
  const inputShape = net.inputShape ?? [28, 28, 1];
  const model = buildModel(net.arch, inputShape, 10, 'classification', 1);
  const optimizer = tf.train.adam(1e-3);
  // The trainer's loss, so the profile shows what a trial runs.
  model.compile({ optimizer, loss: categoricalCrossentropy, metrics: ['accuracy'] });
  const x = tf.randomUniform([batch, ...inputShape]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat());
  try {
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const c = cpuNow();
      await model.trainOnBatch(x, y);
      cpu.push(cpuNow() - c);
    }
    cpu.sort((a, b) => a - b);
    const perStep: Array<Array<[string, number]>> = [];
    const probe = instrument(tf.getBackend());
    try {
      for (let i = 0; i < steps; i++) {
        probe.calls.length = 0;
        await model.trainOnBatch(x, y);
        perStep.push([...probe.calls]);
      }
    } finally {
      probe.restore();
    }
    // The same kernels run in the same order every step: instance j of each step is the same call.
    const best = perStep[0].map(([key], j) => ({ key, ms: Math.min(...perStep.map((s) => (s[j]?.[0] === key ? s[j][1] : Infinity))) }));
    const byName = new Map<string, KernelTime>();
    for (const { key, ms } of best) {
      const acc = byName.get(key);
      const split = key.indexOf(' ');
      if (acc) acc.ms += ms;
      else byName.set(key, { kernel: key.slice(0, split), shapes: key.slice(split + 1), ms });
    }
    const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
    return {
      net: net.name,
      backend,
      stepCpuMs: { min: cpu[0], median: cpu[cpu.length >> 1] },
      kernelMs: kernels.reduce((s, k) => s + k.ms, 0),
      kernels,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  }
}
