// What a darts supernet epoch costs in one process, epoch by epoch (the first carries the JIT warm-up), in CPU
// time, with the first step apart and, for the last epoch, every kernel by name and input shapes; then,
// optionally, the derived architecture's retrain through the trainer in the same process, epoch by epoch. For
// measuring supernet changes in isolation.
//
//   node --import tsx bench/supernetStep.ts [SPEC] [--epochs 3] [--backend wasm] [--retrain]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NasSpec } from '../src/shared/spec';
import { mixedChoices } from '../src/shared/supernet';
import { parse } from '../src/core/json';
import { loadDataset } from '../src/core/data/dataset';
import { DartsStrategy } from '../src/core/strategies/darts';
import { initBackend } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { createDataTensors } from '../src/engine/data';
import { train } from '../src/engine/trainer';
import { buildSupernet } from '../src/engine/supernet/run';
import { disposeOptimizers, makeOptimizers, trainSupernet } from '../src/engine/supernet/train';
import { arg, cpuMs } from './args';

async function main() {
  const file = path.resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : path.join(__dirname, '../examples/cells.nas.json'));
  const spec = parse(fs.readFileSync(file, 'utf8')).value as NasSpec;
  const seed = spec.search?.seed ?? 1;
  const epochs = Number(arg('epochs', '3'));
  await initBackend(arg('backend', 'wasm') as 'wasm');
  const loaded = loadDataset(spec.dataset, spec.task, path.dirname(file), seed);
  const data = createDataTensors(loaded);
  const strategy = new DartsStrategy({ spec: { ...spec, search: { strategy: 'darts', seed } }, seed, direction: 'maximize' });
  const base = strategy.supernetConfig();
  const config = { ...base, training: { ...base.training, epochs } };
  const p = { config, seed, fromEpoch: 0 };
  const net = buildSupernet(p, data, 'classification');
  const opt = makeOptimizers(config, data.trainX.shape[0]);
  // Every kernel the last epoch runs (alpha steps, weight steps, the epoch-end validation: the real path, our
  // backward pass included), timed around engine.runKernel and keyed by name and input shapes: the by-shape view is
  // what shows, say, an 8-channel conv3x3 costing more per FLOP than a 32-channel one.
  const kernels = new KernelTable();
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = (name, ...rest) => {
    const start = performance.now();
    const out = runKernel(name, ...rest);
    kernels.add(name, rest[0], performance.now() - start);
    return out;
  };
  let t = cpuMs();
  let w = performance.now();
  let step = performance.now();
  const steps: number[] = [];
  let alpha: number[][] = [];
  await trainSupernet(net, data, config, opt, {
    seed,
    task: 'classification',
    // Called before each batch: the gaps are the steps (the first carries the warm-up).
    shouldStop: () => {
      const now = performance.now();
      steps.push(now - step);
      step = now;
      return false;
    },
    onEpoch: async (epoch, metrics, a) => {
      alpha = a;
      const now = cpuMs();
      const wall = performance.now() - w;
      const first = steps[1] ?? 0;
      const rest = steps.slice(2);
      console.log(
        `supernet epoch ${epoch}: CPU ${(now - t).toFixed(0)} ms, wall ${wall.toFixed(0)} ms (first step ${first.toFixed(0)}, others ${(rest.reduce((x, y) => x + y, 0) / Math.max(rest.length, 1)).toFixed(0)} ms on average; ${kernels.total().toFixed(0)} ms in ${kernels.calls()} kernels), loss ${metrics.loss.toFixed(4)} val_acc ${metrics.val_accuracy?.toFixed(4)}`,
      );
      if (epoch === epochs - 1) console.log(kernels.report(16));
      kernels.clear();
      steps.length = 0;
      t = now;
      w = performance.now();
      step = w;
      return 'continue';
    },
  });
  engine.runKernel = runKernel;
  disposeOptimizers(opt);
  net.dispose();
  console.log(`alpha: ${JSON.stringify(alpha.map((r) => r.map((x) => +x.toFixed(3))))}`);
  if (process.argv.includes('--retrain')) {
    strategy.learnt(mixedChoices(strategy.space).map((r, i) => ({ name: r.name, label: r.label, ops: r.ops, weights: alpha[i] })));
    const trial = strategy.ask(0)!;
    const model = buildModel(trial.arch, data.inputShape, data.classes, 'classification', seed);
    t = cpuMs();
    w = performance.now();
    await train(model, data, trial.training, {
      seed,
      task: 'classification',
      objective: { metric: 'val_accuracy', direction: 'maximize' },
      onEpoch: async (epoch, m) => {
        const now = cpuMs();
        console.log(
          `retrain epoch ${epoch}: CPU ${(now - t).toFixed(0)} ms, wall ${(performance.now() - w).toFixed(0)} ms, val_acc ${m.val_accuracy?.toFixed(4)}`,
        );
        t = now;
        w = performance.now();
        return 'continue' as const;
      },
    });
    model.dispose();
  }
}

/** Kernel wall time by name and input shapes. */
class KernelTable {
  private readonly rows = new Map<string, { n: number; ms: number }>();

  add(name: string, inputs: unknown, ms: number): void {
    const shapes = Object.values((inputs ?? {}) as Record<string, { shape?: number[] } | undefined>)
      .map((t) => (t?.shape ? `[${t.shape.join(',')}]` : ''))
      .join(' ');
    const key = `${name} ${shapes}`;
    const row = this.rows.get(key) ?? { n: 0, ms: 0 };
    row.n++;
    row.ms += ms;
    this.rows.set(key, row);
  }

  total(): number {
    return [...this.rows.values()].reduce((s, r) => s + r.ms, 0);
  }

  calls(): number {
    return [...this.rows.values()].reduce((s, r) => s + r.n, 0);
  }

  clear(): void {
    this.rows.clear();
  }

  /** The `top` costliest name+shape rows, then the time by kernel name. */
  report(top: number): string {
    const sorted = [...this.rows].sort((a, b) => b[1].ms - a[1].ms);
    const byName = new Map<string, { n: number; ms: number }>();
    for (const [key, r] of sorted) {
      const name = key.split(' ')[0];
      const e = byName.get(name) ?? { n: 0, ms: 0 };
      e.n += r.n;
      e.ms += r.ms;
      byName.set(name, e);
    }
    const line = (key: string, r: { n: number; ms: number }) =>
      `  ${r.ms.toFixed(1).padStart(7)} ms ${String(r.n).padStart(5)}x ${(r.ms / r.n).toFixed(3)} ms  ${key}`;
    return [
      'last epoch, costliest kernels by input shapes:',
      ...sorted.slice(0, top).map(([k, r]) => line(k, r)),
      'by kernel:',
      [...byName]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([n, e]) => `${n} ${e.n}x ${e.ms.toFixed(0)} ms`)
        .join(', '),
    ].join('\n');
  }
}

void main();
