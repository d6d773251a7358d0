// The engine side of multi-fidelity search and transfer: a promoted trial continues from its weights and
// optimizer state exactly as if it had never stopped; a child takes its parent's weights wherever shapes match;
// latency is measured; and real runs with ASHA (real workers, tiny networks) promote, resume and clean up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch, ConcreteTraining } from '../../src/shared/arch';
import type { RunEvent } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { buildModel } from '../../src/engine/builder';
import { modelArtifacts, readArtifacts, saveModel } from '../../src/engine/modelio';
import { Orchestrator } from '../../src/engine/orchestrator';
import { train, type TrainData } from '../../src/engine/trainer';
import {
  assignMatching,
  featureShape,
  loadBackbone,
  measureLatency,
  packOptimizer,
  restoreWeights,
  unpackOptimizer,
  withBackbone,
} from '../../src/engine/transfer';
import type { ModelArtifactsMessage } from '../../src/shared/protocol';
import { blobs } from '../helpers/data';

let data: TrainData & { dispose(): void };

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  const a = blobs(60, 1, { spread: 1.5 });
  const b = blobs(30, 2, { spread: 1.5 });
  const t = { trainX: tf.tensor2d(a.x), trainY: tf.tensor2d(a.y), valX: tf.tensor2d(b.x), valY: tf.tensor2d(b.y) };
  data = { ...t, dispose: () => tf.dispose(Object.values(t)) };
});

after(() => data.dispose());

const L = (type: string, extra: object, source: string) => ({ type, source, ...extra }) as ConcreteArch extends { layers: (infer T)[] } ? T : never;
const mlp: ConcreteArch = {
  kind: 'sequential',
  layers: [L('dense', { units: 8, activation: 'tanh' }, 'architecture.layers[0]'), L('dense', { units: 6, activation: 'tanh' }, 'architecture.layers[1]')],
};

async function artifacts(model: tf.LayersModel): Promise<ModelArtifactsMessage> {
  const a = await modelArtifacts(model);
  return { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs ?? [], weightData: tf.io.CompositeArrayBuffer.join(a.weightData!) };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

describe('continuing a trial from a checkpoint', () => {
  // One batch per epoch (the whole training set), so shuffling cannot change the gradients: runs compare exactly.
  for (const optimizer of ['adam', 'sgd', 'rmsprop'] as const) {
    it(`${optimizer}: 2 + 3 epochs with the saved optimizer state equal 5 straight epochs`, async () => {
      const training: ConcreteTraining = { optimizer, learningRate: 0.05, batchSize: 60, epochs: 5 };
      const before = tf.memory().numTensors;
      const straight = buildModel(mlp, [4], 3, 'classification', 7);
      const full = await train(straight, data, training, { seed: 1 });

      const first = buildModel(mlp, [4], 3, 'classification', 7);
      const r1 = await train(first, data, { ...training, epochs: 2 }, { seed: 1, keepOptimizerWeights: true });
      assert.ok(r1.optimizerWeights?.length, 'the optimizer state came back');
      const saved = { weights: await artifacts(first), optimizer: await packOptimizer(optimizer, r1.optimizerWeights!) };
      for (const w of r1.optimizerWeights!) w.tensor.dispose();
      first.dispose();

      // A fresh model in a "different worker": rebuilt with another seed, then given the checkpoint.
      const second = buildModel(mlp, [4], 3, 'classification', 99);
      restoreWeights(second, saved.weights);
      const state = unpackOptimizer(saved.optimizer);
      const r2 = await train(second, data, { ...training, epochs: 3 }, { seed: 1, optimizerWeights: state });
      for (const w of state) w.tensor.dispose();

      // Without the optimizer state, the continuation differs (Adam's moments and step count restart).
      const third = buildModel(mlp, [4], 3, 'classification', 99);
      restoreWeights(third, saved.weights);
      await train(third, data, { ...training, epochs: 3 }, { seed: 1 });

      const exact = maxDiff(weightsOf(second), weightsOf(straight));
      const fresh = maxDiff(weightsOf(third), weightsOf(straight));
      assert.ok(exact < 1e-4, `continued weights differ by ${exact}`);
      assert.ok(fresh > 10 * exact, `a fresh optimizer differs by ${fresh}, the restored one by ${exact}`);
      assert.ok(Math.abs(r2.history.at(-1)!.loss - full.history.at(-1)!.loss) < 1e-4);
      for (const m of [straight, second, third]) m.dispose();
      assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    });
  }

  it('refuses a checkpoint of another architecture', async () => {
    const a = buildModel(mlp, [4], 3, 'classification', 1);
    const other: ConcreteArch = { kind: 'sequential', layers: [L('dense', { units: 5, activation: 'tanh' }, 'architecture.layers[0]')] };
    const b = buildModel(other, [4], 3, 'classification', 1);
    const saved = await artifacts(a);
    assert.throws(() => restoreWeights(b, saved), /does not fit/);
    a.dispose();
    b.dispose();
  });
});

describe('weight inheritance', () => {
  it('copies every layer whose weights match by name and shape, and nothing else', async () => {
    const parent = buildModel(mlp, [4], 3, 'classification', 1);
    await train(parent, data, { optimizer: 'adam', learningRate: 0.05, batchSize: 20, epochs: 3 }, { seed: 1 });
    // The child widens the second layer: the first layer still matches; the second and the head do not.
    const wider: ConcreteArch = {
      kind: 'sequential',
      layers: [L('dense', { units: 8, activation: 'tanh' }, 'architecture.layers[0]'), L('dense', { units: 12, activation: 'tanh' }, 'architecture.layers[1]')],
    };
    const child = buildModel(wider, [4], 3, 'classification', 2);
    const untouched = child.getLayer('layers_1').getWeights()[0].dataSync().slice();
    const r = assignMatching(child, await artifacts(parent));
    assert.deepEqual(r, { layers: 1, total: 3 });
    assert.deepEqual(child.getLayer('layers_0').getWeights()[0].dataSync(), parent.getLayer('layers_0').getWeights()[0].dataSync());
    assert.deepEqual(child.getLayer('layers_1').getWeights()[0].dataSync(), untouched);
    // The same architecture takes everything.
    const twin = buildModel(mlp, [4], 3, 'classification', 3);
    assert.deepEqual(assignMatching(twin, await artifacts(parent)), { layers: 3, total: 3 });
    for (const m of [parent, child, twin]) m.dispose();
  });

  it('measures latency as a positive median', async () => {
    const m = buildModel(mlp, [4], 3, 'classification', 1);
    const ms = await measureLatency(m, data.valX, 16);
    assert.ok(ms > 0 && ms < 1000, `${ms} ms`);
    m.dispose();
  });
});

describe('runs with ASHA, inheritance and several objectives (real workers)', () => {
  const spec: NasSpec = {
    name: 'asha tiny',
    dataset: { source: 'synthetic', generator: 'shapes', samples: 300, imageSize: 8, classes: 3 },
    architecture: {
      type: 'sequential',
      layers: [
        { type: 'conv2d', filters: { choice: [2, 4] }, kernelSize: 3, optional: true },
        { type: 'flatten' },
        { type: 'dense', units: { choice: [4, 8, 16] } },
      ],
    },
    training: { learningRate: { choice: [0.003, 0.01, 0.03] }, batchSize: 32, epochs: 4 },
    search: {
      strategy: 'evolution',
      evolution: { population: 3, sampleSize: 2, inheritWeights: true },
      pruner: { type: 'asha', minEpochs: 1, reductionFactor: 2 },
      objectives: [{ metric: 'val_accuracy' }, { metric: 'params' }, { metric: 'latency' }],
      budget: { trials: 10 },
      parallel: 2,
      seed: 4,
    },
  };
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-asha-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(events: RunEvent[], runDir: string) {
    const st = RunState.from(events);
    // Paused trials rank with the completed ones: the top 5 (keepTop's default) of them all kept their weights,
    // on disk, and no other trial did (issue 10: the best model trained is the result, wherever it stopped).
    const top = st
      .ranked()
      .slice(0, 5)
      .map((t) => t.trial)
      .sort((a, b) => a - b);
    const kept = [...st.trials.values()].filter((t) => t.hasWeights).map((t) => t.trial);
    assert.deepEqual(kept, top);
    for (const t of kept) assert.ok(fs.existsSync(path.join(runPaths(runDir).trials, String(t).padStart(4, '0'), 'model.json')), `trial ${t}`);
    assert.equal(st.trials.size, 10);
    assert.ok(
      events.some((e) => e.type === 'trial-promoted'),
      'something was promoted',
    );
    for (const t of st.trials.values()) {
      assert.ok(t.status === 'completed' || t.status === 'pruned', `trial ${t.trial} is ${t.status}`);
      assert.ok([1, 2, 4].includes(t.history.length), `trial ${t.trial} stopped after ${t.history.length} epochs`);
      assert.ok(t.history.every(Boolean), `trial ${t.trial} has every epoch once`);
      if (t.status === 'pruned') assert.equal(t.rung, [1, 2, 4].indexOf(t.history.length));
      if (t.status === 'completed') assert.equal(t.values?.length, 3);
    }
    // Children of evolution start from their parents' weights.
    const children = events.filter((e) => e.type === 'trial-started' && e.parent !== undefined);
    assert.ok(children.length > 0, 'some children inherited');
    const analysis = events.find((e) => e.type === 'analysis');
    assert.ok(analysis && analysis.type === 'analysis' && analysis.front && analysis.front.length > 0 && analysis.epochs === st.epochsTrained());
    assert.ok(st.epochsTrained() < 10 * 4, `${st.epochsTrained()} epochs`);
  }

  it('promotes from checkpoints and writes the Pareto front', async () => {
    const file = path.join(dir, 'a.nas.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const events: RunEvent[] = [];
    const out = await new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: file, onEvent: (e) => events.push(e) }).run();
    assert.equal(out.reason, 'budget', out.message);
    check(events, out.runDir);
    assert.ok(!fs.existsSync(path.join(out.runDir, 'checkpoints')), 'checkpoints are removed when the search is done');
  });

  it('resumes a run stopped mid-search, promoted segments from their checkpoints', async () => {
    const file = path.join(dir, 'b.nas.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const orch = new Orchestrator({
      spec,
      specText: JSON.stringify(spec),
      specFile: file,
      onEvent: (e) => {
        // Stop as soon as the first promotion is under way.
        if (e.type === 'trial-promoted') setImmediate(() => orch.stop('test stop'));
      },
    });
    const first = await orch.run();
    assert.equal(first.reason, 'stopped');
    assert.ok(fs.readdirSync(path.join(first.runDir, 'checkpoints')).length > 0, 'checkpoints are kept for the resume');
    const resumed = await new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: file, resumeDir: first.runDir }).run();
    assert.equal(resumed.reason, 'budget', resumed.message);
    const events = readJournal(runPaths(first.runDir).journal).events;
    check(events, first.runDir);
    const again = events.filter((e) => e.type === 'trial-promoted' && e.attempt > 1);
    assert.ok(again.length > 0, 'the interrupted promotion ran again from its checkpoint');
  });
});

describe('a pretrained backbone under the searched head', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-backbone-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function saveBackbone(): Promise<string> {
    const input = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 6, activation: 'relu', name: 'bb_dense' }).apply(input) as tf.SymbolicTensor;
    const f = tf.layers.dense({ units: 5, activation: 'relu', name: 'bb_features' }).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'bb_out' }).apply(f) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const where = path.join(dir, 'pretrained');
    await saveModel(model, where);
    model.dispose();
    return where;
  }

  for (const trainable of [false, true]) {
    it(`${trainable ? 'fine-tunes' : 'freezes'} the backbone, cut at a named layer, and trains the head`, async () => {
      const where = await saveBackbone();
      const base = await loadBackbone({ artifacts: await readArtifacts(where), trainable, outputLayer: 'bb_features' });
      assert.deepEqual(featureShape(base), [5]);
      const head = buildModel(mlp, featureShape(base), 3, 'classification', 1);
      const model = withBackbone(base, head, [4]);
      const before = base.getLayer('bb_dense').getWeights()[0].dataSync().slice();
      const headBefore = head.getLayer('layers_0').getWeights()[0].dataSync().slice();
      await train(model, data, { optimizer: 'adam', learningRate: 0.05, batchSize: 20, epochs: 2 }, { seed: 1 });
      const after = base.getLayer('bb_dense').getWeights()[0].dataSync();
      const changed = after.some((v, i) => Math.abs(v - before[i]) > 1e-6);
      assert.equal(changed, trainable, trainable ? 'a trainable backbone learns' : 'a frozen backbone keeps its weights');
      assert.ok(
        head
          .getLayer('layers_0')
          .getWeights()[0]
          .dataSync()
          .some((v, i) => Math.abs(v - headBefore[i]) > 1e-6),
        'the head learns',
      );
      assert.throws(() => withBackbone(base, buildModel(mlp, [5], 3, 'classification', 1), [7]), /takes inputs of shape \[4\]/);
      model.dispose();
    });
  }

  it('runs a search over the head with the backbone from the spec', async () => {
    const where = await saveBackbone();
    const spec: NasSpec = {
      name: 'head search',
      dataset: { source: 'synthetic', generator: 'blobs', samples: 200, features: 4, classes: 3 },
      architecture: { type: 'sequential', layers: [{ type: 'dense', units: { choice: [4, 8] } }] },
      training: { learningRate: 0.02, batchSize: 32, epochs: 2, backbone: { path: path.relative(dir, where), outputLayer: 'bb_features' } },
      search: { strategy: 'random', budget: { trials: 3 }, parallel: 1, seed: 2 },
    };
    const file = path.join(dir, 'head.nas.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const out = await new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: file }).run();
    assert.equal(out.reason, 'budget', out.message);
    const st = RunState.from(readJournal(runPaths(out.runDir).journal).events);
    assert.equal(st.counts().completed, 3, JSON.stringify([...st.trials.values()].map((t) => t.error)));
    // The trials' weights count the backbone's too (6*4+6 + 6*5+5 below the head).
    for (const t of st.trials.values()) assert.ok(t.params! > 65, `${t.params} weights`);
  });
});
