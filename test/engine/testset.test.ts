// The test set end to end: real workers train on data whose test part is poisoned (NaN samples: one of them in a
// training or validation batch would make the loss NaN and fail the trial, as a control run shows), the kept
// trials are scored once when the run ends, a stop scores what was kept and a resume scores what changed, and a
// spec without a test set says so. The poisoned runs use the cpu backend: wasm's ReLU turns NaN into 0, which
// would hide a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../../src/shared/events';
import { NO_TEST_SET } from '../../src/shared/events';
import { formatValue } from '../../src/shared/format';
import type { NasSpec } from '../../src/shared/spec';
import { main } from '../../src/cli/main';
import { loadDataset, splitIndices } from '../../src/core/data/dataset';
import { blobs } from '../../src/core/data/synthetic';
import { loadTestSet } from '../../src/core/data/testset';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { loadModel } from '../../src/engine/modelio';
import { Orchestrator } from '../../src/engine/orchestrator';
import { writeIdx } from '../helpers/idx';

const SEED = 5;

function workspace(dataset: (dir: string) => NasSpec['dataset'], search: Partial<NasSpec['search']> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-test-set-'));
  const spec: NasSpec = {
    name: 'test set',
    dataset: dataset(dir),
    architecture: { type: 'sequential', layers: [{ type: 'dense', units: { choice: [4, 8, 16] } }] },
    training: { learningRate: 0.02, batchSize: 32, epochs: 2 },
    search: { strategy: 'random', budget: { trials: 5 }, parallel: 2, keepTop: 3, seed: SEED, ...search },
  } as NasSpec;
  const text = JSON.stringify(spec, null, 2);
  const file = path.join(dir, 'spec.nas.json');
  fs.writeFileSync(file, text);
  return { dir, file, spec, text };
}

/** Blobs as IDX files; `poison(i)` makes sample i all NaN. */
function idxFiles(dir: string, name: string, n: number, seed: number, poison: (i: number) => boolean = () => false) {
  const g = blobs({ samples: n, classes: 3, features: 6, noise: 0.4, seed });
  const x = Float32Array.from(g.x);
  for (let i = 0; i < n; i++) if (poison(i)) x.fill(NaN, i * 6, i * 6 + 6);
  writeIdx(path.join(dir, `${name}-x.idx`), [n, 6], x, 'float32');
  writeIdx(path.join(dir, `${name}-y.idx`), [n], g.y, 'uint8');
  return { images: `${name}-x.idx`, labels: `${name}-y.idx`, y: g.y };
}

function journal(runDir: string) {
  const { events } = readJournal(runPaths(runDir).journal);
  return { events, state: RunState.from(events) };
}

function assertPoisonNeverTrained(runDir: string, testSamples: number) {
  const { events, state } = journal(runDir);
  const c = state.counts();
  assert.equal(
    c.failed,
    0,
    `a trial failed: ${[...state.trials.values()]
      .map((t) => t.error)
      .filter(Boolean)
      .join('; ')}`,
  );
  assert.equal(c.completed, 5);
  for (const e of events)
    if (e.type === 'epoch') assert.ok(Number.isFinite(e.metrics.loss) && Number.isFinite(e.metrics.val_loss!), 'a NaN sample reached a batch');
  const kept = state.ranked().filter((t) => t.hasWeights);
  assert.equal(kept.length, 3);
  for (const t of kept) {
    // The evaluation did read the poison: every test sample, and a NaN loss from them.
    assert.equal(t.test?.samples, testSamples, `trial ${t.trial} was not scored on the test set`);
    // NaN is written as null in the JSON journal.
    assert.ok(!Number.isFinite(t.test!.loss), `trial ${t.trial}: test loss ${t.test!.loss} from NaN samples`);
  }
  const scored = events.filter((e) => e.type === 'test-evaluated');
  assert.equal(scored.length, 3, 'each kept trial is scored once');
  const finished = events.findIndex((e) => e.type === 'run-finished');
  assert.ok(events.findIndex((e) => e.type === 'test-evaluated') < finished, 'scores come before run-finished');
  assert.ok(
    !events
      .slice(
        0,
        events.findIndex((e) => e.type === 'test-evaluated'),
      )
      .some((e) => e.type === 'test-evaluated'),
  );
}

test('a poisoned test file never reaches training or validation; the kept trials are scored on it once, at the end', async () => {
  const ws = workspace((dir) => {
    const train = idxFiles(dir, 'train', 400, 1);
    const poison = idxFiles(dir, 'test', 90, 2, () => true);
    return { source: 'idx', images: train.images, labels: train.labels, normalize: 'standardize', test: { images: poison.images, labels: poison.labels } };
  });
  const outcome = await new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, backend: 'cpu' }).run();
  assert.equal(outcome.reason, 'budget');
  assertPoisonNeverTrained(outcome.runDir, 90);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('control: the same poison in the training data fails the trial, so the runs above would have caught a leak', async () => {
  const ws = workspace(
    (dir) => {
      const train = idxFiles(dir, 'train', 400, 1, (i) => i === 17);
      return { source: 'idx', images: train.images, labels: train.labels, normalize: 'none' };
    },
    { budget: { trials: 1 }, parallel: 1 },
  );
  const outcome = await new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, backend: 'cpu' }).run();
  const t = journal(outcome.runDir).state.trials.get(0)!;
  assert.equal(t.status, 'failed');
  assert.match(t.error ?? '', /NaN/);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('a poisoned test fraction of the dataset itself never reaches training or validation', async () => {
  const ws = workspace((dir) => {
    const y = Int32Array.from(blobs({ samples: 500, classes: 3, features: 6, noise: 0.4, seed: 1 }).y);
    const testIdx = new Set(splitIndices(y, 3, 0.2, SEED, 'test').val);
    const f = idxFiles(dir, 'all', 500, 1, (i) => testIdx.has(i));
    return { source: 'idx', images: f.images, labels: f.labels, normalize: 'standardize', test: { fraction: 0.2 } };
  });
  const outcome = await new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, backend: 'cpu' }).run();
  assertPoisonNeverTrained(outcome.runDir, 100);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test("the test score is the exported model's on the test samples; CLI summary, JSON summary and export agree", async () => {
  await tf.setBackend('cpu');
  const ws = workspace((dir) => {
    const train = idxFiles(dir, 'train', 400, 1);
    const held = idxFiles(dir, 'held', 150, 7);
    return { source: 'idx', images: train.images, labels: train.labels, test: { images: held.images, labels: held.labels } };
  });
  const out: string[] = [];
  assert.equal(
    await main(
      ['run', ws.file, '--json'],
      (s) => out.push(s),
      () => {},
    ),
    0,
  );
  const summary = JSON.parse(out[out.length - 1]) as {
    runDir: string;
    best: { trial: number; test_accuracy: number; test_loss: number };
    test: { set: string; trials: { trial: number }[] };
  };
  const { state } = journal(summary.runDir);
  const best = state.best()!;
  assert.equal(summary.best.trial, best.trial);
  assert.equal(summary.best.test_accuracy, best.test!.accuracy);
  assert.equal(summary.test.set, 'held-x.idx');
  assert.deepEqual(
    summary.test.trials.map((t) => t.trial),
    state
      .ranked()
      .filter((t) => t.hasWeights)
      .map((t) => t.trial),
  );

  const exported = path.join(ws.dir, 'model');
  assert.equal(
    await main(
      ['export', summary.runDir, '--best', '--out', exported],
      () => {},
      () => {},
    ),
    0,
  );
  const info = JSON.parse(fs.readFileSync(path.join(exported, 'architecture.json'), 'utf8'));
  assert.equal(info.test_accuracy, best.test!.accuracy);
  assert.equal(info.test_loss, best.test!.loss);
  const readme = fs.readFileSync(path.join(exported, 'README.md'), 'utf8');
  assert.ok(readme.includes(`test_accuracy: **${formatValue(best.test!.accuracy)}** (150 samples of held-x.idx`), readme);
  // Scored independently: the exported model on the test samples, normalised as the loader does.
  const data = loadDataset(ws.spec.dataset, ws.spec.task, ws.dir, SEED);
  const t = loadTestSet(ws.spec.dataset, ws.spec.task, ws.dir, SEED, { ...data, norm: data.norm! })!;
  const model = await loadModel(exported);
  const pred = tf.tidy(() => (model.predict(tf.tensor(t.x, [t.count, 6])) as tf.Tensor).argMax(-1).dataSync());
  model.dispose();
  let correct = 0;
  for (let i = 0; i < t.count; i++) correct += pred[i] === t.y[i] ? 1 : 0;
  assert.ok(Math.abs(correct / t.count - best.test!.accuracy!) < 1e-6, `exported model scores ${correct / t.count}, the journal says ${best.test!.accuracy}`);

  const text: string[] = [];
  assert.equal(
    await main(
      ['export', summary.runDir, '--best', '--out', path.join(ws.dir, 'm2')],
      (s) => text.push(s),
      () => {},
    ),
    0,
  );
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('a stop scores what was kept; a resume to the end scores only what has no score for its weights', async () => {
  const ws = workspace(
    (dir) => {
      const train = idxFiles(dir, 'train', 600, 1);
      const held = idxFiles(dir, 'held', 100, 7);
      return { source: 'idx', images: train.images, labels: train.labels, test: { images: held.images, labels: held.labels } };
    },
    { budget: { trials: 8 }, keepTop: 2 },
  );
  const events: RunEvent[] = [];
  const orch = new Orchestrator({
    spec: ws.spec,
    specText: ws.text,
    specFile: ws.file,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'trial-completed' && events.filter((x) => x.type === 'trial-completed').length === 2) orch.stop('test stop');
    },
  });
  const first = await orch.run();
  assert.equal(first.reason, 'stopped');
  const afterStop = journal(first.runDir).state;
  const keptAtStop = afterStop.ranked().filter((t) => t.hasWeights);
  assert.ok(keptAtStop.length >= 1);
  for (const t of keptAtStop) assert.equal(t.test?.samples, 100, `trial ${t.trial} kept at the stop has no test score`);

  const resumed = await new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, resumeDir: first.runDir }).run();
  assert.equal(resumed.reason, 'budget');
  const { events: all, state } = journal(first.runDir);
  for (const t of state.ranked().filter((x) => x.hasWeights)) assert.equal(t.test?.samples, 100, `trial ${t.trial} kept at the end has no test score`);
  // Never two scores for the same weights: between two `weights saved` events of a trial, one score at most.
  const scores = new Map<number, number>();
  for (const e of all) {
    if (e.type === 'weights' && e.saved) scores.set(e.trial, 0);
    if (e.type === 'test-evaluated') {
      scores.set(e.trial, (scores.get(e.trial) ?? 0) + 1);
      assert.ok(scores.get(e.trial)! <= 1, `trial ${e.trial} scored twice on the same weights`);
    }
  }
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('a spec without a test set runs as before and says that no test set was given', async () => {
  const ws = workspace(
    (dir) => {
      const train = idxFiles(dir, 'train', 300, 1);
      return { source: 'idx', images: train.images, labels: train.labels };
    },
    { budget: { trials: 2 } },
  );
  const lines: string[] = [];
  assert.equal(
    await main(
      ['run', ws.file],
      (s) => lines.push(s),
      () => {},
    ),
    0,
  );
  assert.ok(lines.includes(NO_TEST_SET), lines.join('\n'));
  const runDir = path.join(ws.dir, '.nas-studio', 'runs', fs.readdirSync(path.join(ws.dir, '.nas-studio', 'runs'))[0]);
  const { events, state } = journal(runDir);
  assert.ok(events.some((e) => e.type === 'log' && e.message === NO_TEST_SET));
  assert.ok(!events.some((e) => e.type === 'test-evaluated'));
  assert.equal(state.started?.test, undefined);
  const json: string[] = [];
  assert.equal(
    await main(
      ['run', ws.file, '--json'],
      (s) => json.push(s),
      () => {},
    ),
    0,
  );
  assert.equal(JSON.parse(json[json.length - 1]).test, null);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});
