// A kept trial scored in parts of the test set on several workers (testeval.ts) gets the score the whole test set
// gives: the parts cover every sample once, in order, and combineParts weighs them by their samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { blobs } from '../../src/core/data/synthetic';
import { buildModel } from '../../src/engine/builder';
import { evaluateWeights, testPart, testTensors } from '../../src/engine/evaluate';
import { modelArtifacts } from '../../src/engine/modelio';
import { combineParts } from '../../src/engine/testeval';

test('parts of the test set scored apart and combined give the whole set’s accuracy exactly and its loss to float noise', async () => {
  assert.ok(await tf.setBackend('cpu'));
  const g = blobs({ samples: 301, classes: 3, features: 5, noise: 0.8, seed: 4 });
  const test = testTensors({ x: g.x, y: g.y, count: 301, inputShape: [5] } as never, 3, 'classification');
  const model = buildModel({ kind: 'sequential', layers: [{ type: 'dense', units: 6, activation: 'relu', source: 'l' }] }, [5], 3, 'classification', 9);
  try {
    const a = await modelArtifacts(model);
    const weights = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs ?? [], weightData: tf.io.CompositeArrayBuffer.join(a.weightData!) };
    const n = tf.memory().numTensors;
    const whole = await evaluateWeights(weights, test, 'classification', 32);
    for (const of of [2, 3, 7]) {
      const parts = [];
      const rows: number[] = [];
      for (let index = 0; index < of; index++) {
        const p = testPart(test, index, of);
        rows.push(p.count);
        parts.push({ trial: 0, samples: p.count, ...(await evaluateWeights(weights, p, 'classification', 32)) });
        p.dispose();
      }
      assert.equal(
        rows.reduce((s, c) => s + c, 0),
        301,
        `${of} parts cover every sample`,
      );
      assert.ok(Math.max(...rows) - Math.min(...rows) <= 1, `${of} parts of equal size: ${rows}`);
      const r = combineParts(parts);
      assert.equal(Math.round(r.accuracy! * 301), Math.round(whole.accuracy! * 301), `${of} parts: accuracy`);
      assert.ok(Math.abs(r.loss! - whole.loss) < 1e-5, `${of} parts: loss ${r.loss} vs ${whole.loss}`);
    }
    assert.equal(tf.memory().numTensors, n, 'parts leave no tensors');
    assert.throws(() => testPart(test, 3, 3), /no test-set part 3 of 3/);
  } finally {
    model.dispose();
    test.dispose();
  }
});
