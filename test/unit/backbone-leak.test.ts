// Issue 14, item 3: a backbone cut at `outputLayer` left the weights of the layers after the cut behind on every
// trial ("trial N left 2 tensors behind"). Building and disposing a trial's model must leave no tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ConcreteArch } from '../../src/shared/arch';
import { buildModel } from '../../src/engine/builder';
import { readArtifacts, saveModel } from '../../src/engine/modelio';
import { featureShape, loadBackbone, withBackbone } from '../../src/engine/transfer';

const head: ConcreteArch = { kind: 'sequential', layers: [{ type: 'dense', source: 's', units: 4, activation: 'relu' }] };

test('a backbone cut at a named layer leaves no tensor behind once the trial model is disposed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-backbone-'));
  try {
    const input = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 6, activation: 'relu', name: 'bb_dense' }).apply(input) as tf.SymbolicTensor;
    const f = tf.layers.dense({ units: 5, activation: 'relu', name: 'bb_features' }).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'bb_out' }).apply(f) as tf.SymbolicTensor;
    const pretrained = tf.model({ inputs: input, outputs: out });
    await saveModel(pretrained, path.join(dir, 'bb'));
    pretrained.dispose();
    const artifacts = await readArtifacts(path.join(dir, 'bb'));
    for (const outputLayer of [undefined, 'bb_features']) {
      const before = tf.memory().numTensors;
      for (let trial = 0; trial < 3; trial++) {
        const base = await loadBackbone({ artifacts, trainable: false, ...(outputLayer ? { outputLayer } : {}) });
        const model = withBackbone(base, buildModel(head, featureShape(base), 3, 'classification', trial), [4]);
        tf.tidy(() => {
          model.predict(tf.zeros([2, 4]));
        });
        model.dispose();
      }
      assert.equal(tf.memory().numTensors - before, 0, `cut at ${outputLayer ?? 'the end'}: tensors left behind`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
