// The files `nas-studio export` writes beside model.json and weights.bin: a loader that works in Node with
// plain @tensorflow/tfjs (its `file://` handler needs tfjs-node, which many machines cannot install), and a
// README that says how to use the model and what it is.
import { NO_TEST_SET, type RunStarted } from '../shared/events';
import { formatInt, formatValue, plural } from '../shared/format';
import type { TrialState } from '../core/runstate';
import { LAYERS_LOADER_FILE } from '../shared/layers';
import { describe } from './summary';

export const LOADER_FILE = 'load.js';

/** CommonJS, no dependencies but @tensorflow/tfjs (or tfjs-node, which re-exports it). */
export const LOADER_SOURCE = `// Loads this model in Node with @tensorflow/tfjs alone (no tfjs-node needed):
//   const { load } = require('./load.js');
//   const model = await load();
// Written by NAS Studio's export. It reads model.json and the weight files it lists, and hands them to
// tf.loadLayersModel through tf.io.fromMemory.
'use strict';
const fs = require('fs');
const path = require('path');

// tfjs-node (native TensorFlow) is faster where it installs; plain tfjs runs everywhere.
const CANDIDATES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs'];

function tfjs() {
  for (const name of CANDIDATES) {
    try {
      return require(name);
    } catch {
      // Not installed, or (tfjs-node) its native library would not load: try the next.
    }
  }
  throw new Error('load.js needs TensorFlow.js: npm install @tensorflow/tfjs');
}

/** The model in \`dir\` (default: this folder) as a tf.LayersModel; \`tf\` defaults to the tfjs package found. */
async function load(dir = __dirname, tf = tfjs()) {
  // NAS Studio's own layers (attention, positional embedding), when the model uses any.
  const layers = path.join(dir, '${LAYERS_LOADER_FILE}');
  if (fs.existsSync(layers)) require(layers).register(tf);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format }));
}

module.exports = { load };
`;

/** `customLayers`: NAS Studio layer classes the model uses (then LAYERS_LOADER_FILE ships beside it). */
export function exportReadme(started: RunStarted | undefined, t: TrialState, runId: string, customLayers: string[] = []): string {
  const m = started?.objective.metric ?? 'objective';
  const epochs = t.history.filter(Boolean).length;
  const input = started?.inputShape ? `[${started.inputShape.join(', ')}]` : 'unknown';
  const example = started?.inputShape ? `tf.zeros([1, ${started.inputShape.join(', ')}])` : 'input';
  return [
    `# ${started?.name ?? 'NAS Studio model'}: trial ${t.trial}`,
    '',
    `Exported by NAS Studio from run \`${runId}\`.`,
    '',
    `- ${m}: **${formatValue(t.value)}**`,
    ...testReadme(t, started?.test),
    `- weights: ${formatInt(t.params)}`,
    `- input shape: ${input} (a batch adds a first dimension), outputs: ${started?.outputs ?? 'unknown'}`,
    `- training: ${t.config.training.optimizer}, learning rate ${formatValue(t.config.training.learningRate)}, batch ${t.config.training.batchSize}, ${plural(epochs, 'epoch')}`,
    `- architecture: ${describe(t.config.arch)}`,
    '',
    '## Use it in Node',
    '',
    '`npm install @tensorflow/tfjs` is enough (`@tensorflow/tfjs-node` is faster where it installs, and `load.js` uses it when it is there):',
    '',
    '```js',
    "const tf = require('@tensorflow/tfjs');",
    `const { load } = require('./${LOADER_FILE}');`,
    '',
    'load().then((model) => {',
    `  const y = model.predict(${example});`,
    '  y.print();',
    '});',
    '```',
    '',
    "With tfjs-node installed you can also call `tf.loadLayersModel('file://' + __dirname + '/model.json')` directly.",
    '',
    ...(customLayers.length
      ? [
          `The model uses NAS Studio's own layers (${customLayers.join(', ')}); \`${LOADER_FILE}\` registers them from \`${LAYERS_LOADER_FILE}\`.`,
          `Loading it any other way, register them first: \`require('./${LAYERS_LOADER_FILE}').register(tf)\`.`,
          '',
        ]
      : []),
    '## Use it in a browser',
    '',
    customLayers.length
      ? `Serve this folder, load \`${LAYERS_LOADER_FILE}\` after TensorFlow.js (it registers the layers with \`window.tf\`), and call \`tf.loadLayersModel(url + "/model.json")\`.`
      : 'Serve this folder and call `tf.loadLayersModel(url + "/model.json")`.',
    '',
    '`model.json` + `weights.bin` are the standard TensorFlow.js layers-model format. `architecture.json` holds the',
    'architecture, the training settings, the learning curve and every decision of the search.',
    '',
  ].join('\n');
}

/** The README's test-set lines: the score on samples the search never saw, or why there is none. */
function testReadme(t: TrialState, set: string | undefined): string[] {
  if (!set) return [`- ${NO_TEST_SET}`];
  const s = t.test;
  if (!s) return [`- test set (${set}): not scored yet (a run scores its kept trials when it ends)`];
  if (s.error) return [`- test set (${set}): not scored: ${s.error}`];
  return [
    ...(s.accuracy !== undefined
      ? [`- test_accuracy: **${formatValue(s.accuracy)}** (${formatInt(s.samples)} samples of ${set}, never seen by the search)`]
      : []),
    ...(s.loss !== undefined ? [`- test_loss: ${formatValue(s.loss)}`] : []),
  ];
}
