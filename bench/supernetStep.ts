// What a darts supernet epoch costs in one process, epoch by epoch (the first carries the JIT warm-up), in CPU
// time, with the tfjs kernels one step (alpha + weights) runs; then, optionally, the derived architecture's
// retrain through the trainer in the same process, epoch by epoch. For measuring supernet changes in isolation.
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

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

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
  let t = cpuMs();
  let w = performance.now();
  let alpha: number[][] = [];
  await trainSupernet(net, data, config, opt, {
    seed,
    task: 'classification',
    onEpoch: async (epoch, metrics, a) => {
      alpha = a;
      const now = cpuMs();
      console.log(
        `supernet epoch ${epoch}: CPU ${(now - t).toFixed(0)} ms, wall ${(performance.now() - w).toFixed(0)} ms, loss ${metrics.loss.toFixed(4)} val_acc ${metrics.val_accuracy?.toFixed(4)}`,
      );
      t = now;
      w = performance.now();
      return 'continue';
    },
  });
  // One step's kernels (the alpha step's forward and backward, then the weights'), counted by name.
  const xv = tf.slice(data.valX, 0, config.training.batchSize);
  const yv = tf.slice(data.valY, 0, config.training.batchSize);
  const prof = await tf.profile(() => {
    opt.alpha.minimize(() => tf.losses.softmaxCrossEntropy(yv, net.forward(xv, true)), false, net.alphas);
    opt.weights.minimize(() => tf.losses.softmaxCrossEntropy(yv, net.forward(xv, true)), false, net.weights);
  });
  const byName = new Map<string, { n: number; ms: number }>();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, e);
  }
  const inKernels = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    `one step: ${prof.kernels.length} kernels, ${inKernels.toFixed(1)} ms inside them: ${[...byName]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([n, e]) => `${n} ${e.n} ${e.ms.toFixed(1)} ms`)
      .join(', ')}`,
  );
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

void main();
