// The one look at the test set: kept weights scored on samples no trial trained or was chosen on. The model is
// rebuilt from the same artifacts `nas-studio export` writes, so the score is that of the exported model.
import * as tf from '@tensorflow/tfjs';
import type { TestSamples } from '../core/data/testset';
import type { ModelArtifactsMessage } from '../shared/protocol';

export interface TestTensors {
  x: tf.Tensor;
  /** One-hot [n, classes] for classification, [n, 1] for regression. */
  y: tf.Tensor;
  count: number;
  dispose(): void;
}

export function testTensors(s: TestSamples, classes: number, task: 'classification' | 'regression'): TestTensors {
  const x = tf.tensor(s.x, [s.count, ...s.inputShape], 'float32');
  const y =
    task === 'regression'
      ? tf.tensor2d(s.y as Float32Array, [s.count, 1])
      : tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(s.y), 'int32'), classes).toFloat());
  return { x, y, count: s.count, dispose: () => tf.dispose([x, y]) };
}

/**
 * Part `index` of `of` of the test set, in order (parts differ in size by at most one sample): scores of the parts,
 * weighted by their samples, make the whole one's (testeval.ts combines them). Disposing it frees only the slices.
 */
export function testPart(test: TestTensors, index: number, of: number): TestTensors {
  if (!(Number.isInteger(index) && Number.isInteger(of) && of >= 1 && index >= 0 && index < of)) throw new Error(`no test-set part ${index} of ${of}`);
  const start = Math.floor((index * test.count) / of);
  const count = Math.floor(((index + 1) * test.count) / of) - start;
  const x = tf.slice(test.x, start, count);
  const y = tf.slice(test.y, start, count);
  return { x, y, count, dispose: () => tf.dispose([x, y]) };
}

/** Loss (the training loss) and, for classification, accuracy of the model in `weights` on the test samples. */
export async function evaluateWeights(
  weights: ModelArtifactsMessage,
  test: TestTensors,
  task: 'classification' | 'regression',
  batchSize: number,
): Promise<{ loss: number; accuracy?: number }> {
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: weights.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: weights.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: weights.weightData,
    }),
  );
  try {
    // Compiled only for evaluate(): the optimizer is never stepped.
    model.compile({
      optimizer: 'sgd',
      loss: task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError',
      metrics: task === 'classification' ? ['accuracy'] : [],
    });
    const out = model.evaluate(test.x, test.y, { batchSize, verbose: 0 });
    const scalars = Array.isArray(out) ? out : [out];
    const values = await Promise.all(scalars.map(async (t) => (await t.data())[0]));
    tf.dispose(scalars);
    return { loss: values[0], ...(task === 'classification' ? { accuracy: values[1] } : {}) };
  } finally {
    model.dispose();
  }
}
