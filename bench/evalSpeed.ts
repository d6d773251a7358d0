// What the end-of-run test-set scoring costs: a Fashion-MNIST cell network (a derived-darts-like cell, 3 stages)
// trained one short epoch (so batch norm's moving statistics are real), exported as the worker exports it, then
// scored with evaluateWeights on the whole t10k file, `--repeat` times, in CPU and wall time. Prints the score
// of each repeat (they must agree) and, with --profile, the kernels of one scoring by name.
//
//   node --import tsx bench/evalSpeed.ts [--data DIR] [--cell heavy|light] [--channels 16] [--batch 64] [--epochs 2]
//                                        [--repeat 3] [--eval-batch 64,256] [--profile]
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CellArch } from '../src/shared/arch';
import { loadDataset } from '../src/core/data/dataset';
import { loadTestSet } from '../src/core/data/testset';
import { initBackend } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { createDataTensors } from '../src/engine/data';
import { evaluateWeights, testTensors } from '../src/engine/evaluate';
import { modelArtifacts } from '../src/engine/modelio';
import { train } from '../src/engine/trainer';
import { fashionSpecs } from './darts';
import { arg, cpuMs } from './args';

/** A cell of the kind darts derives on the Fashion-MNIST space: every operation, two inputs a node (--cell heavy). */
export const BENCH_CELL: Omit<CellArch, 'channels'> = {
  kind: 'cell',
  nodes: 4,
  edges: [
    { from: 0, to: 1, op: 'conv3x3' },
    { from: 0, to: 2, op: 'avgPool3x3' },
    { from: 1, to: 2, op: 'conv3x3' },
    { from: 0, to: 3, op: 'skip' },
    { from: 1, to: 3, op: 'conv1x1' },
    { from: 2, to: 3, op: 'conv3x3' },
  ],
  cells: 1,
  stages: 3,
};

/** The cell bench:darts's Fashion-MNIST seed 1 derived (--cell light): one conv3x3, one conv1x1, three pools. */
export const LIGHT_CELL: Omit<CellArch, 'channels'> = {
  ...BENCH_CELL,
  edges: [
    { from: 0, to: 1, op: 'conv3x3' },
    { from: 0, to: 2, op: 'avgPool3x3' },
    { from: 1, to: 2, op: 'conv1x1' },
    { from: 0, to: 3, op: 'avgPool3x3' },
    { from: 2, to: 3, op: 'avgPool3x3' },
  ],
};

async function main() {
  const data = path.resolve(arg('data', '/usr/share/datasets/fashion-mnist'));
  const channels = Number(arg('channels', '16'));
  const batchSize = Number(arg('batch', '64'));
  const repeat = Number(arg('repeat', '3'));
  // The batch the scoring runs in (the trial's by default): for trying others.
  const evalBatches = arg('eval-batch', String(batchSize)).split(',').map(Number);
  const seed = 1;
  // bench:darts's Fashion-MNIST data: a 2,000-image subset split 1,600 / 400, t10k as the test set.
  const { dataset, task } = fashionSpecs(data, seed, []).evolution;
  const chosen = await initBackend((arg('backend', 'wasm') as 'wasm') ?? 'wasm');
  const loaded = loadDataset(dataset, task, '/', seed);
  const tensors = createDataTensors(loaded);
  const model = buildModel(
    { ...(arg('cell', 'heavy') === 'light' ? LIGHT_CELL : BENCH_CELL), channels },
    tensors.inputShape,
    tensors.classes,
    'classification',
    seed,
  );
  let c0 = cpuMs();
  const epochs = Number(arg('epochs', '2'));
  // For the per-sample comparison with the scoring: an epoch is trainX.shape[0] training samples plus the
  // validation samples (the first epoch carries the JIT warm-up). --epochs 0: untrained weights, cold kernels.
  if (epochs > 0)
    await train(
      model,
      tensors,
      { optimizer: 'adam', learningRate: 0.003, batchSize, epochs },
      {
        seed,
        task: 'classification',
        onEpoch: (epoch) => {
          console.log(
            `training epoch ${epoch}: CPU ${(cpuMs() - c0).toFixed(0)} ms for ${tensors.trainX.shape[0]} + ${tensors.valX.shape[0]} validation samples`,
          );
          c0 = cpuMs();
          return 'continue';
        },
      },
    );
  const a = await modelArtifacts(model);
  model.dispose();
  const weights = {
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs ?? [],
    weightData: a.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData),
  };
  const t0 = cpuMs();
  const samples = loadTestSet(dataset, task, '/', seed, {
    inputShape: tensors.inputShape,
    classes: tensors.classes,
    classNames: loaded.classNames,
    norm: loaded.norm!,
  });
  const test = testTensors(samples!, tensors.classes, 'classification');
  console.log(`test set read and made tensors: CPU ${(cpuMs() - t0).toFixed(0)} ms`);
  console.log(
    `backend ${chosen.name}, ${channels} channels, batch ${batchSize}, ${test.count} test samples, load ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const tensorsBefore = tf.memory().numTensors;
  for (let r = 0; r < repeat; r++) {
    for (const b of evalBatches) {
      const c = cpuMs();
      const w = performance.now();
      const s = await evaluateWeights(weights, test, 'classification', b);
      console.log(
        `score ${r} batch ${b}: CPU ${(cpuMs() - c).toFixed(0)} ms, wall ${(performance.now() - w).toFixed(0)} ms, loss ${s.loss} accuracy ${s.accuracy}`,
      );
    }
  }
  console.log(`tensors: ${tensorsBefore} before, ${tf.memory().numTensors} after`);
  if (process.argv.includes('--profile')) {
    const prof = await tf.profile(() => evaluateWeights(weights, test, 'classification', batchSize));
    const byName = new Map<string, { n: number; ms: number }>();
    for (const k of prof.kernels) {
      // Convolutions by shape: which layers the time is in.
      const key = k.name === 'Conv2D' ? `Conv2D ${JSON.stringify(k.inputShapes.map((s) => s?.slice(1)))}` : k.name;
      const e = byName.get(key) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byName.set(key, e);
    }
    const inKernels = [...byName.values()].reduce((s, e) => s + e.ms, 0);
    console.log(
      `one scoring: ${prof.kernels.length} kernels, ${inKernels.toFixed(0)} ms inside them: ${[...byName]
        .sort((x, y) => y[1].ms - x[1].ms)
        .map(([n, e]) => `${n} ${e.n} ${e.ms.toFixed(0)} ms`)
        .join(', ')}`,
    );
  }
  test.dispose();
}

// Imported by other benches for BENCH_CELL: run only as a script.
if (require.main === module) void main();
