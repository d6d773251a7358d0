// Per-kernel time of one training step of a suite network (tf.profile), each kernel instance's minimum
// over several steps: on a shared machine the minimum is what the kernel costs, the rest is waiting for a core.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
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

export async function profileStep(net: SuiteNet, backend: BackendName, steps: number): Promise<StepProfile> {
  await initBackend(backend);
  const batch = net.batch;
  const inputShape = net.inputShape ?? [28, 28, 1];
  const model = buildModel(net.arch, inputShape, 10, 'classification', 1);
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.randomUniform([batch, ...inputShape]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat());
  try {
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const c = process.cpuUsage();
      await model.trainOnBatch(x, y);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    cpu.sort((a, b) => a - b);
    const prof = await tf.profile(async () => {
      for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
    });
    // The same kernels run in the same order every step: instance j of each step is the same call.
    const perStep = prof.kernels.length / steps;
    const best = new Map<number, KernelTime>();
    prof.kernels.forEach((k, i) => {
      const j = i % perStep;
      const ms = k.kernelTimeMs as number;
      const seen = best.get(j);
      if (!seen || ms < seen.ms) best.set(j, { kernel: k.name, shapes: JSON.stringify(k.inputShapes), ms });
    });
    const byName = new Map<string, KernelTime>();
    for (const k of best.values()) {
      const key = `${k.kernel} ${k.shapes}`;
      const acc = byName.get(key);
      if (acc) acc.ms += k.ms;
      else byName.set(key, { ...k });
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
