// Acceptance: recurrent and transformer models trained in real workers export with their loader, load in a
// separate process with plain @tensorflow/tfjs (cpu backend, no NAS Studio code), and predict what the engine
// predicts on the workers' backend; their validation accuracy is the one the workers recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NasSpec } from '../../src/shared/spec';
import { main } from '../../src/cli/main';
import { loadDataset } from '../../src/core/data/dataset';
import { readJournal } from '../../src/core/journal';
import { runPaths, trialDir } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { initBackend } from '../../src/engine/backend';
import { loadModel } from '../../src/engine/modelio';
import { registerNasLayers } from '../../src/engine/layers';
import { Orchestrator } from '../../src/engine/orchestrator';

const root = path.join(__dirname, '..', '..');
const helper = path.join(root, 'test/helpers/plain-tfjs-predict.cjs');

// Two trials by grid order: option 0 (a bidirectional lstm under a gru) and option 1 (a transformer encoder).
const spec: NasSpec = {
  name: 'export-sequences',
  dataset: { source: 'synthetic', generator: 'pattern', samples: 240, steps: 8, features: 4, seed: 3 },
  architecture: {
    type: 'sequential',
    layers: [
      {
        type: 'choice',
        options: [
          {
            type: 'block',
            layers: [
              { type: 'lstm', units: 6, returnSequences: true, bidirectional: true },
              { type: 'gru', units: 5 },
            ],
          },
          {
            type: 'block',
            layers: [
              { type: 'dense', units: 8, activation: 'linear' },
              { type: 'positionalEmbedding' },
              { type: 'transformerEncoder', heads: 2, feedForward: 12, dropout: 0.1 },
              { type: 'globalAveragePooling1d' },
            ],
          },
        ],
      },
    ],
  },
  training: { learningRate: 0.01, batchSize: 32, epochs: 2 },
  search: { strategy: 'grid', budget: { trials: 2 }, parallel: 2, keepTop: 2, seed: 5 },
};

let dir: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-export-seq-'));
  // The engine's side of the comparison runs where the workers ran: wasm with NAS Studio's kernels.
  assert.equal((await initBackend('wasm')).name, 'wasm');
  registerNasLayers(tf);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('exported lstm/gru and transformer models load with plain @tensorflow/tfjs and predict as in the engine', async () => {
  const file = path.join(dir, 'seq.nas.json');
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  const outcome = await new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: file, parallel: 2, backend: 'wasm', onEvent: () => {} }).run();
  const state = RunState.from(readJournal(runPaths(outcome.runDir).journal).events);
  const trials = [...state.trials.values()].filter((t) => t.status === 'completed').sort((a, b) => a.trial - b.trial);
  assert.equal(trials.length, 2, JSON.stringify(state.counts()));

  const data = loadDataset(spec.dataset, spec.task, dir, spec.search!.seed!);
  const n = data.val.length;
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n * f);
  data.val.forEach((idx, i) => values.set(data.x.subarray(idx * f, idx * f + f), i * f));
  const inputFile = path.join(dir, 'input.json');
  fs.writeFileSync(inputFile, JSON.stringify({ shape: [n, ...data.inputShape], values: Array.from(values) }));

  for (const t of trials) {
    const kind = t.config.arch.kind === 'sequential' && t.config.arch.layers.some((l) => l.type === 'transformerEncoder') ? 'transformer' : 'recurrent';
    const out = path.join(dir, `trial-${t.trial}`);
    const logs: string[] = [];
    assert.equal(
      await main(
        ['export', outcome.runDir, '--trial', String(t.trial), '--out', out],
        (s) => logs.push(s),
        (s) => logs.push(s),
      ),
      0,
      logs.join('\n'),
    );
    const files = fs.readdirSync(out).sort();
    if (kind === 'transformer') {
      assert.ok(files.includes('nas-layers.js'), `${kind}: the loader is missing (${files.join(', ')})`);
      assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /require\('\.\/nas-layers\.js'\)\.register\(tf\)/);
      // Without the loader, plain tfjs cannot read the model: the classes are NAS Studio's own.
      assert.match(fs.readFileSync(path.join(out, 'model.json'), 'utf8'), /NasMultiHeadSelfAttention/);
    } else assert.ok(!files.includes('nas-layers.js'), `${kind}: standard layers need no loader`);

    const plain = JSON.parse(execFileSync(process.execPath, [helper, out, inputFile], { cwd: root, encoding: 'utf8' })) as {
      backend: string;
      predictions: number[];
    };
    assert.equal(plain.backend, 'cpu');

    const engineModel = await loadModel(trialDir(runPaths(outcome.runDir), t.trial));
    const engine = tf.tidy(() => (engineModel.predict(tf.tensor(values, [n, ...data.inputShape])) as tf.Tensor).dataSync());
    engineModel.dispose();
    let worst = 0;
    engine.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - plain.predictions[i]))));
    assert.ok(worst < 1e-4, `${kind}: plain tfjs and the engine differ by ${worst}`);

    const classes = data.classes;
    let correct = 0;
    data.val.forEach((idx, i) => {
      const row = plain.predictions.slice(i * classes, i * classes + classes);
      if (row.indexOf(Math.max(...row)) === data.y[idx]) correct++;
    });
    assert.ok(Math.abs(correct / n - t.value!) <= 1 / n + 1e-9, `${kind}: plain tfjs scores ${correct / n}, the worker recorded ${t.value}`);
  }
});
