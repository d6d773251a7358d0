// Search-strategy benchmark on Fashion-MNIST (`npm run bench:search`): random, evolution, TPE and
// ASHA+evolution each get the same wall time with 2 workers on the same space; the table is the best validation
// accuracy seen over time per arm, plus the epochs each spent. A last arm runs evolution with weight
// inheritance and compares each inheriting child's first-epoch accuracy with the same architecture (same
// initial seed) trained from scratch for one epoch.
//
//   node --import tsx bench/search.ts [--minutes 4] [--subset 4000] [--arms random,evolution,tpe,asha,inherit] [--seed 1] [--out DIR]
//
// The ASHA criterion: the epochs ASHA spent until its best first came within 1 point of the unpruned evolution
// arm's final best, against the epochs that arm spent in all; it passes at half or less.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../src/shared/events';
import type { NasSpec, Search } from '../src/shared/spec';
import { checkText } from '../src/core/check';
import { readJournal } from '../src/core/journal';
import { runPaths } from '../src/core/rundir';
import { RunState } from '../src/core/runstate';
import { Orchestrator } from '../src/engine/orchestrator';
import type { WorkerEntry } from '../src/engine/pool';
import { arg } from './args';

const FASHION = '/usr/share/datasets/fashion-mnist';

const minutes = Number(arg('minutes', '4'));
const subset = Number(arg('subset', '4000'));
const seed = Number(arg('seed', '1'));
const arms = arg('arms', 'random,evolution,tpe,asha,inherit').split(',');
const outDir = path.resolve(arg('out', path.join(os.tmpdir(), `nas-bench-search-${Date.now()}`)));

/** Small CNNs on 28x28 images: a few seconds per epoch on a subset, with learning rates that can fail. */
function space(epochs: number, search: Search): NasSpec {
  return {
    name: `bench ${search.strategy}${search.pruner ? `+${search.pruner.type}` : ''}`,
    dataset: {
      source: 'idx',
      images: path.join(FASHION, 'train-images-idx3-ubyte.gz'),
      labels: path.join(FASHION, 'train-labels-idx1-ubyte.gz'),
      validationSplit: 0.25,
      subset,
    },
    task: { type: 'classification', classes: 10, inputShape: [28, 28, 1] },
    architecture: {
      type: 'sequential',
      layers: [
        { type: 'conv2d', filters: { choice: [8, 16, 32] }, kernelSize: { choice: [3, 5] } },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'batchNormalization', optional: true },
        {
          type: 'block',
          repeat: { int: [0, 1] },
          layers: [
            { type: 'conv2d', filters: { choice: [16, 32] }, kernelSize: 3 },
            { type: 'maxPooling2d', poolSize: 2 },
          ],
        },
        { type: 'flatten' },
        { type: 'dense', units: { choice: [32, 64, 128] } },
        { type: 'dropout', rate: { choice: [0, 0.25, 0.5] } },
      ],
    },
    training: { optimizer: 'adam', learningRate: { float: [3e-4, 3e-2], log: true }, batchSize: { choice: [64, 128] }, epochs },
    search: { budget: { trials: 1000, minutes }, parallel: 2, seed, ...search },
  } as NasSpec;
}

const ARMS: Record<string, { epochs: number; search: Search }> = {
  random: { epochs: 9, search: { strategy: 'random' } },
  evolution: { epochs: 9, search: { strategy: 'evolution', evolution: { population: 8, sampleSize: 3 } } },
  tpe: { epochs: 9, search: { strategy: 'tpe', tpe: { startupTrials: 6 } } },
  asha: {
    epochs: 9,
    search: { strategy: 'evolution', evolution: { population: 8, sampleSize: 3 }, pruner: { type: 'asha', minEpochs: 1, reductionFactor: 3 } },
  },
  inherit: { epochs: 3, search: { strategy: 'evolution', evolution: { population: 6, sampleSize: 3, inheritWeights: true } } },
};

interface ArmResult {
  arm: string;
  runDir: string;
  trials: number;
  completed: number;
  epochs: number;
  best: number;
  /** Best validation accuracy seen by each sample time (seconds). */
  curve: { t: number; best: number; epochs: number }[];
  events: RunEvent[];
}

function workerEntry(): WorkerEntry {
  const built = path.join(__dirname, '..', 'dist', 'worker.js');
  if (!fs.existsSync(built)) throw new Error('dist/worker.js is missing: run `node scripts/build.mjs` first (npm run bench:search does)');
  return { file: built, execArgv: [] };
}

async function runArm(arm: string): Promise<ArmResult> {
  const { epochs, search } = ARMS[arm];
  const spec = space(epochs, search);
  const text = JSON.stringify(spec, null, 2);
  const check = checkText(text, { probeData: false });
  const errors = check.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${arm}: ${errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  const dir = path.join(outDir, arm);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${arm}.nas.json`);
  fs.writeFileSync(file, text);
  const started = Date.now();
  process.stderr.write(`[${arm}] ${minutes} min, 2 workers, subset ${subset}...\n`);
  const orch = new Orchestrator({ spec, specText: text, specFile: file, runsDir: path.join(dir, 'runs'), workerEntry: workerEntry(), backend: 'wasm' });
  const outcome = await orch.run();
  if (outcome.reason === 'error') throw new Error(`${arm}: ${outcome.message}`);
  const events = readJournal(runPaths(outcome.runDir).journal).events;
  const t0 = Date.parse(events.find((e) => e.type === 'run-started')!.time);
  let best = 0;
  let epochCount = 0;
  const samples: { t: number; best: number; epochs: number }[] = [];
  const step = 30;
  let next = step;
  for (const e of events) {
    const t = (Date.parse(e.time) - t0) / 1000;
    while (t > next) {
      samples.push({ t: next, best, epochs: epochCount });
      next += step;
    }
    if (e.type === 'epoch') {
      epochCount++;
      best = Math.max(best, e.metrics.val_accuracy ?? 0);
    }
  }
  while (next <= minutes * 60 + 1e-9) {
    samples.push({ t: next, best, epochs: epochCount });
    next += step;
  }
  const st = RunState.from(events);
  process.stderr.write(
    `[${arm}] done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${st.trials.size} trials, ${epochCount} epochs, best ${best.toFixed(4)}\n`,
  );
  return { arm, runDir: outcome.runDir, trials: st.trials.size, completed: st.counts().completed, epochs: epochCount, best, curve: samples, events };
}

/** Epochs spent (over the run, in journal order) until the best validation accuracy first reached `target`. */
function epochsToReach(events: RunEvent[], target: number): number | undefined {
  let n = 0;
  for (const e of events) {
    if (e.type !== 'epoch') continue;
    n++;
    if ((e.metrics.val_accuracy ?? 0) >= target) return n;
  }
  return undefined;
}

/** Epochs the run had spent when its final best was first seen. */
function epochsToBest(r: ArmResult): number {
  return epochsToReach(r.events, r.best) ?? r.epochs;
}

async function inheritanceFigure(r: ArmResult): Promise<{ rows: { trial: number; parent: number; layers: number; inherited: number; scratch: number }[] }> {
  // Children that really started from their parent's weights, with their first epoch's accuracy.
  const st = RunState.from(r.events);
  const children = [...st.trials.values()].filter((t) => t.parent !== undefined && (t.inheritedLayers ?? 0) > 0 && t.history[0]?.val_accuracy !== undefined);
  if (!children.length) return { rows: [] };
  process.stderr.write(`[inherit] retraining ${children.length} children from scratch for one epoch...\n`);
  const { initBackend } = await import('../src/engine/backend');
  const { buildModel } = await import('../src/engine/builder');
  const { getDataTensors } = await import('../src/engine/data');
  const { loadDataset } = await import('../src/core/data/dataset');
  const { train } = await import('../src/engine/trainer');
  await initBackend('wasm');
  const spec = space(ARMS.inherit.epochs, ARMS.inherit.search);
  const data = getDataTensors('bench', () => loadDataset(spec.dataset, spec.task, path.dirname(r.runDir), seed));
  const rows = [];
  for (const t of children) {
    // The same initial weights the trial would have had without a parent (the orchestrator's seed per trial).
    const model = buildModel(t.config.arch, data.inputShape, data.classes, 'classification', seed * 100_003 + t.trial);
    const res = await train(model, data, { ...t.config.training, epochs: 1 }, { seed: 0 });
    model.dispose();
    rows.push({ trial: t.trial, parent: t.parent!, layers: t.inheritedLayers!, inherited: t.history[0].val_accuracy!, scratch: res.history[0].val_accuracy! });
  }
  return { rows };
}

function pct(v: number | undefined): string {
  return v === undefined ? '-' : (100 * v).toFixed(1);
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const load = os.loadavg()[0];
  const results: ArmResult[] = [];
  for (const arm of arms) {
    if (!ARMS[arm]) throw new Error(`unknown arm ${arm}: expected ${Object.keys(ARMS).join(', ')}`);
    results.push(await runArm(arm));
  }
  const lines: string[] = [];
  const timed = results.filter((r) => r.arm !== 'inherit');
  lines.push(
    `Fashion-MNIST subset ${subset} (${Math.round(subset * 0.75)} train / ${Math.round(subset * 0.25)} val), ${minutes} min per arm, 2 workers, seed ${seed}, ${os.cpus().length} cores, load average ${load.toFixed(1)} at start`,
  );
  lines.push('');
  lines.push('Best validation accuracy (%) seen by time t:');
  lines.push('');
  lines.push(`| t (s) | ${timed.map((r) => (r.arm === 'asha' ? 'ASHA+evolution' : r.arm)).join(' | ')} |`);
  lines.push(`|---:|${timed.map(() => '---:').join('|')}|`);
  const times = timed[0]?.curve.map((c) => c.t) ?? [];
  times.forEach((t, i) => lines.push(`| ${t} | ${timed.map((r) => pct(r.curve[i]?.best)).join(' | ')} |`));
  lines.push('');
  lines.push(`| arm | trials | completed (full epochs) | epochs trained | best val acc (%) | epochs until best |`);
  lines.push(`|---|---:|---:|---:|---:|---:|`);
  for (const r of timed)
    lines.push(`| ${r.arm === 'asha' ? 'ASHA+evolution' : r.arm} | ${r.trials} | ${r.completed} | ${r.epochs} | ${pct(r.best)} | ${epochsToBest(r)} |`);
  const asha = results.find((r) => r.arm === 'asha');
  const evo = results.find((r) => r.arm === 'evolution');
  const summary: Record<string, unknown> = { subset, minutes, seed, load, arms: results.map(({ events: _e, ...r }) => r) };
  if (asha && evo) {
    const target = evo.best - 0.01;
    const reach = epochsToReach(asha.events, target);
    const ok = reach !== undefined && reach <= 0.5 * evo.epochs;
    lines.push('');
    lines.push(
      `ASHA criterion: unpruned evolution reached ${pct(evo.best)}% using ${epochsToBest(evo)} of its ${evo.epochs} epochs; ASHA+evolution first came within 1 point (>= ${pct(target)}%) after ${reach ?? 'never'} epochs` +
        (reach !== undefined ? ` = ${((100 * reach) / evo.epochs).toFixed(0)}% of the unpruned arm's epochs` : '') +
        ` -> ${ok ? 'PASS' : 'FAIL'} (needs <= 50%)`,
    );
    summary.asha = { target, reach, unprunedEpochs: evo.epochs, pass: ok };
  }
  const inherit = results.find((r) => r.arm === 'inherit');
  if (inherit) {
    const fig = await inheritanceFigure(inherit);
    summary.inheritance = fig;
    lines.push('');
    if (fig.rows.length) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const diffs = fig.rows.map((x) => x.inherited - x.scratch);
      lines.push(
        `Weight inheritance (evolution, ${ARMS.inherit.epochs}-epoch trials, ${minutes} min): first-epoch validation accuracy of ${fig.rows.length} children that inherited, vs the same architectures from the same initial seed trained from scratch:`,
      );
      lines.push('');
      lines.push('| | inherited | from scratch |');
      lines.push('|---|---:|---:|');
      lines.push(`| mean first-epoch val acc (%) | ${pct(mean(fig.rows.map((x) => x.inherited)))} | ${pct(mean(fig.rows.map((x) => x.scratch)))} |`);
      lines.push(`| median (%) | ${pct(med(fig.rows.map((x) => x.inherited)))} | ${pct(med(fig.rows.map((x) => x.scratch)))} |`);
      lines.push(`| children ahead | ${diffs.filter((d) => d > 0).length} of ${diffs.length} | |`);
      lines.push(`| mean layers inherited | ${mean(fig.rows.map((x) => x.layers)).toFixed(1)} | |`);
    } else lines.push('Weight inheritance: no child inherited any layer (too few trials in the time?)');
  }
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  fs.writeFileSync(path.join(outDir, 'results.md'), text + '\n');
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(summary, null, 2));
  process.stderr.write(`results: ${outDir}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench:search failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
