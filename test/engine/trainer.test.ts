// Training semantics (learning, early stopping, time limit, pruning, divergence), saving/loading, and that a
// trial leaves no tensors behind: a worker runs hundreds of trials in one process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CellOperation, ConcreteArch, ConcreteTraining, OptimizerName } from '../../src/shared/arch';
import { buildModel } from '../../src/engine/builder';
import { TrainingError, train, type TrainData } from '../../src/engine/trainer';
import { MODEL_FILE, WEIGHTS_FILE, folderHandler, loadModel, saveModel } from '../../src/engine/modelio';
import { blobs } from '../helpers/data';

function tensors(train: ReturnType<typeof blobs>, val: ReturnType<typeof blobs>): TrainData & { dispose(): void } {
  const t = { trainX: tf.tensor2d(train.x), trainY: tf.tensor2d(train.y), valX: tf.tensor2d(val.x), valY: tf.tensor2d(val.y) };
  return { ...t, dispose: () => tf.dispose(Object.values(t)) };
}

const mlp: ConcreteArch = { kind: 'sequential', layers: [{ type: 'dense', units: 8, activation: 'relu', source: 'architecture.layers[0]' }] };
const base: ConcreteTraining = { optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 12 };

let data: ReturnType<typeof tensors>;
let tmp: string;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  data = tensors(blobs(96, 1), blobs(48, 2));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-trainer-'));
});

after(() => {
  data.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A one-cell, two-stage network of 2 channels whose 3-node cell has these operations on its edges 0-1, 0-2, 1-2. */
function cell3(a: CellOperation, b: CellOperation, c: CellOperation): ConcreteArch {
  return {
    kind: 'cell',
    nodes: 3,
    channels: 2,
    cells: 1,
    stages: 2,
    edges: [
      { from: 0, to: 1, op: a },
      { from: 0, to: 2, op: b },
      { from: 1, to: 2, op: c },
    ],
  };
}

async function withModel<T>(arch: ConcreteArch, f: (m: tf.LayersModel) => Promise<T>, outputs = 3): Promise<T> {
  const model = buildModel(arch, [4], outputs, outputs > 1 ? 'classification' : 'regression', 5);
  try {
    return await f(model);
  } finally {
    model.dispose();
  }
}

describe('train', () => {
  it('learns separable data well above chance and reports normalised metrics', async () => {
    const seen: number[] = [];
    const r = await withModel(mlp, (m) => train(m, data, base, { seed: 1, onEpoch: (e) => (seen.push(e), 'continue') }));
    assert.equal(r.stopReason, 'epochs');
    assert.equal(r.history.length, 12);
    assert.deepEqual(seen, [...Array(12).keys()]);
    for (const m of r.history) assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const best = r.history[r.bestEpoch];
    assert.equal(r.value, best.val_accuracy);
    assert.ok(best.val_accuracy! > 0.8, `val_accuracy ${best.val_accuracy}`);
    assert.ok(
      r.history.every((m) => m.val_accuracy! <= best.val_accuracy!),
      'bestEpoch is the max of val_accuracy',
    );
    assert.ok(r.history.at(-1)!.loss < r.history[0].loss, 'loss went down');
  });

  it('honours an explicit objective', async () => {
    const r = await withModel(mlp, (m) => train(m, data, { ...base, epochs: 4 }, { seed: 1, objective: { metric: 'loss', direction: 'minimize' } }));
    const losses = r.history.map((h) => h.loss);
    assert.equal(r.bestEpoch, losses.indexOf(Math.min(...losses)));
  });

  it('stops early when the monitored metric stops improving by minDelta', async () => {
    // minDelta far above any possible change: epoch 0 sets the best, epoch 1 fails to beat it, patience 1 ends it
    const training = { ...base, earlyStopping: { monitor: 'val_loss' as const, patience: 1, minDelta: 100 } };
    const r = await withModel(mlp, (m) => train(m, data, training, { seed: 1 }));
    assert.equal(r.stopReason, 'early-stopping');
    assert.equal(r.history.length, 2);
  });

  it('stops after the epoch in which the time limit is passed', async () => {
    let t = 0;
    const now = () => (t += 1000); // each call is one second later: start at 1 s, epochs end at 2, 3, 4 s
    const r = await withModel(mlp, (m) => train(m, data, { ...base, timeLimitSeconds: 2.5 }, { seed: 1, now }));
    assert.equal(r.stopReason, 'time-limit');
    assert.equal(r.history.length, 3);
  });

  it('prunes and stops on request', async () => {
    const pruned = await withModel(mlp, (m) => train(m, data, base, { seed: 1, onEpoch: async (e) => (e === 1 ? 'prune' : 'continue') }));
    assert.equal(pruned.stopReason, 'pruned');
    assert.equal(pruned.history.length, 2);
    let batches = 0;
    const stopped = await withModel(mlp, (m) => train(m, data, base, { seed: 1, shouldStop: () => ++batches > 8 }));
    assert.equal(stopped.stopReason, 'stopped');
    // 6 batches per epoch: stopping in epoch 2 drops that partial epoch
    assert.equal(stopped.history.length, 1);
  });

  it('throws TrainingError when the loss diverges', async () => {
    const big = { x: blobs(48, 3, { scale: 1e6 }).x, y: blobs(48, 3).x.map((v) => [v[0] * 1e6]) };
    const d = tensors(big, big);
    try {
      await withModel(
        mlp,
        (m) =>
          assert.rejects(
            train(m, d, { optimizer: 'sgd', learningRate: 10, batchSize: 8, epochs: 5 }, { seed: 1 }),
            (e: unknown) => e instanceof TrainingError && /loss became (NaN|infinite) at epoch \d/.test(e.message),
          ),
        1,
      );
    } finally {
      d.dispose();
    }
  });

  it('leaves no tensors behind over consecutive trials, failed ones included', async () => {
    const baseline = tf.memory().numTensors;
    const optimizers: OptimizerName[] = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adamax'];
    const conv = cell3('conv3x3', 'sepConv3x3', 'avgPool3x3');
    const img = { trainX: tf.randomNormal([12, 4, 4, 1]), trainY: tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2)) };
    const imgData = { ...img, valX: img.trainX, valY: img.trainY };
    const inner = tf.memory().numTensors;
    for (const [i, optimizer] of optimizers.entries()) {
      const cell = i % 2 === 1;
      const model = cell ? buildModel(conv, [4, 4, 1], 2, 'classification', i) : buildModel(mlp, [4], 3, 'classification', i);
      try {
        await train(
          model,
          cell ? imgData : data,
          { optimizer, learningRate: 0.01, batchSize: 8, epochs: 2 },
          { seed: i, onEpoch: () => (i === 4 ? 'prune' : 'continue') },
        );
      } finally {
        model.dispose();
      }
      assert.equal(tf.memory().numTensors, inner, `trial ${i} (${optimizer}${cell ? ', cell' : ''}) leaked`);
    }
    // a callback that throws must surface and still let fit clean up
    await withModel(mlp, (m) =>
      assert.rejects(
        train(m, data, base, {
          seed: 1,
          onEpoch: () => {
            throw new Error('boom');
          },
        }),
        /boom/,
      ),
    );
    assert.equal(tf.memory().numTensors, inner, 'a throwing callback leaked');
    tf.dispose(Object.values(img));
    assert.equal(tf.memory().numTensors, baseline);
  });
});

describe('modelio', () => {
  for (const [name, arch, input] of [
    ['sequential', mlp, [4]],
    ['cell', cell3('conv1x1', 'skip', 'sepConv3x3'), [5, 5, 2]],
  ] as [string, ConcreteArch, number[]][]) {
    it(`round-trips a ${name} model through model.json + weights.bin`, async () => {
      const dir = path.join(tmp, name);
      const model = buildModel(arch, input, 3, 'classification', 9);
      const x = tf.randomNormal([4, ...input], 0, 1, 'float32', 3);
      try {
        // train a little so batch-norm moving statistics are no longer their initial values
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3));
        await train(model, { trainX: x, trainY: y, valX: x, valY: y }, { ...base, epochs: 2, batchSize: 2 }, { seed: 1 });
        y.dispose();
        await saveModel(model, dir);
        assert.deepEqual(fs.readdirSync(dir).sort(), [MODEL_FILE, WEIGHTS_FILE]);
        const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), 'utf8'));
        assert.equal(json.format, 'layers-model');
        assert.equal(json.convertedBy, null);
        assert.match(json.generatedBy, /TensorFlow\.js/);
        assert.deepEqual(
          json.weightsManifest.map((g: { paths: string[] }) => g.paths),
          [[WEIGHTS_FILE]],
        );
        const bytes = json.weightsManifest[0].weights.reduce((s: number, w: { shape: number[] }) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
        assert.equal(fs.statSync(path.join(dir, WEIGHTS_FILE)).size, bytes);

        // the browser's loader (tf.io.http over fetch) must read the same folder: that is the standard format
        const server = http.createServer((req, res) => {
          const file = path.join(dir, path.basename(req.url ?? ''));
          if (!fs.existsSync(file)) return void res.writeHead(404).end();
          res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(fs.readFileSync(file));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        let viaHttp: tf.LayersModel;
        try {
          viaHttp = await tf.loadLayersModel(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${MODEL_FILE}`);
        } finally {
          server.close();
        }
        for (const loaded of [await loadModel(dir), await tf.loadLayersModel(folderHandler(dir)), viaHttp]) {
          try {
            const [a, b] = tf.tidy(() => [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor].map((t) => t.dataSync()));
            assert.deepEqual(b, a);
            assert.deepEqual(
              loaded.layers.map((l) => l.name),
              model.layers.map((l) => l.name),
            );
          } finally {
            loaded.dispose();
          }
        }
      } finally {
        x.dispose();
        model.dispose();
      }
    });
  }
});
