// The builder checked against the checker's cost model, case by case: the model tfjs builds must have the
// parameter count src/core/shapes.ts computes, the output width asked for, and (for a sequential architecture)
// every layer's output shape, so a wrong formula cannot hide behind a compensating one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { archCost, sequentialCost, type DataContext } from '../../src/core/shapes';
import type { ConcreteArch } from '../../src/shared/arch';
import { buildModel, layerName, modelSummary, type Task } from '../../src/engine/builder';

export interface BuildCase {
  name: string;
  arch: ConcreteArch;
  input: number[];
  outputs: number;
  task: Task;
  data?: DataContext;
}

/** One test per case. Inputs of a model with a vocabulary are token ids (embeddings reject other values). */
export function itMatchesCostModel(cases: readonly BuildCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const cost = archCost(c.arch, c.input, c.outputs, c.data);
      const model = buildModel(c.arch, c.input, c.outputs, c.task, 7, c.data);
      try {
        assert.equal(model.countParams(), cost.params, 'parameter count');
        assert.deepEqual(model.outputs[0].shape, [null, c.outputs]);
        const x = c.data?.vocabulary ? tf.randomUniform([2, ...c.input], 0, c.data.vocabulary, 'int32', 1).toFloat() : tf.ones([2, ...c.input]);
        const y = tf.tidy(() => (model.predict(x) as tf.Tensor).shape);
        x.dispose();
        assert.deepEqual(y, [2, c.outputs]);
        if (c.arch.kind === 'sequential') {
          const shapes = sequentialCost(c.arch.layers, c.input, c.outputs, c.data).shapes;
          const byName = new Map(modelSummary(model).map((r) => [r.name, r.outputShape]));
          c.arch.layers.forEach((l, i) => assert.deepEqual(byName.get(layerName(l.source)), shapes[i], `shape after ${l.source}`));
        }
      } finally {
        model.dispose();
      }
    });
  }
}
