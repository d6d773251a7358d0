// `nas-studio export`: copies a kept trial's tfjs model out of the run folder, with its architecture and a
// README. No retraining: the run kept the top trials' weights.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '../core/journal';
import { runPaths, trialDir } from '../core/rundir';
import { RunState } from '../core/runstate';
import { MODEL_FILE, WEIGHTS_FILE } from '../core/modelfiles';
import { customClassesIn, LAYERS_LOADER_FILE } from '../shared/layers';
import { describe } from './run';

export interface ExportOptions {
  trial?: number;
  best?: boolean;
  out: string;
}

export function exportCommand(dir: string, o: ExportOptions, io: { out: (s: string) => void; err: (s: string) => void }): number {
  const p = runPaths(path.resolve(dir));
  if (!fs.existsSync(p.journal)) {
    io.err(`nas-studio: ${dir} is not a run folder (no journal.jsonl)`);
    return 1;
  }
  const state = RunState.from(readJournal(p.journal).events);
  const t = o.trial !== undefined ? state.trials.get(o.trial) : state.best();
  if (!t) {
    io.err(o.trial !== undefined ? `nas-studio: run has no trial ${o.trial}` : 'nas-studio: the run has no completed trial to export yet');
    return 1;
  }
  // A trial cut by the budget ranks with the completed ones, so it exports like them.
  if (t.status !== 'completed' && t.status !== 'cut') {
    io.err(`nas-studio: trial ${t.trial} is ${t.status}${t.error ? ` (${t.error})` : ''}; only completed trials can be exported`);
    return 1;
  }
  const src = trialDir(p, t.trial);
  if (!t.hasWeights || !fs.existsSync(path.join(src, 'model.json'))) {
    const kept = state
      .ranked()
      .filter((x) => x.hasWeights)
      .map((x) => x.trial);
    io.err(
      `nas-studio: trial ${t.trial} kept no weights (the run keeps the best ${kept.length ? `ones: ${kept.join(', ')}` : 'few'}); raise search.keepTop to keep more`,
    );
    return 1;
  }
  const out = path.resolve(o.out);
  const custom = customClassesIn((JSON.parse(fs.readFileSync(path.join(src, MODEL_FILE), 'utf8')) as { modelTopology?: unknown }).modelTopology);
  const loader = custom.length ? layersLoader() : undefined;
  if (custom.length && !loader) {
    io.err(`nas-studio: the model uses NAS Studio layers (${custom.join(', ')}) but ${LAYERS_LOADER_FILE} is missing next to the CLI: run \`npm run build\``);
    return 1;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const f of [MODEL_FILE, WEIGHTS_FILE]) fs.copyFileSync(path.join(src, f), path.join(out, f));
  if (loader) fs.copyFileSync(loader, path.join(out, LAYERS_LOADER_FILE));
  const started = state.started;
  const metrics = t.history.filter(Boolean);
  const info = {
    run: started?.runId,
    name: started?.name,
    trial: t.trial,
    objective: started?.objective,
    value: t.value,
    params: t.params,
    inputShape: started?.inputShape,
    outputs: started?.outputs,
    epochs: metrics.length,
    history: metrics,
    architecture: t.config.arch,
    training: t.config.training,
    decisions: t.config.params,
  };
  fs.writeFileSync(path.join(out, 'architecture.json'), JSON.stringify(info, null, 2) + '\n');
  const m = started?.objective.metric ?? 'objective';
  const readme = [
    `# ${started?.name ?? 'NAS Studio model'}: trial ${t.trial}`,
    '',
    `Exported by NAS Studio from run \`${started?.runId ?? path.basename(p.dir)}\`.`,
    '',
    `- ${m}: **${t.value}**`,
    `- weights: ${t.params?.toLocaleString('en-US')}`,
    `- input shape: [${started?.inputShape?.join(', ')}], outputs: ${started?.outputs}`,
    `- training: ${t.config.training.optimizer}, learning rate ${t.config.training.learningRate}, batch ${t.config.training.batchSize}, ${metrics.length} epoch(s)`,
    `- architecture: ${describe(t.config.arch)}`,
    '',
    '## Load it',
    '',
    ...loadInstructions(custom),
    '`architecture.json` holds the architecture, the training settings and every decision of the search.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'README.md'), readme);
  const withLoader = loader ? ` with ${LAYERS_LOADER_FILE} (load it before the model: see README.md)` : '';
  io.out(`exported trial ${t.trial} (${m} = ${t.value}) to ${path.relative(process.cwd(), out) || out}${withLoader}`);
  return 0;
}

/** The bundled loader: next to the CLI bundle (dist/), or in dist/ when the CLI runs from source. */
function layersLoader(): string | undefined {
  return [path.join(__dirname, LAYERS_LOADER_FILE), path.join(__dirname, '..', '..', 'dist', LAYERS_LOADER_FILE)].find((f) => fs.existsSync(f));
}

function loadInstructions(custom: string[]): string[] {
  if (!custom.length) {
    return [
      '```js',
      "const tf = require('@tensorflow/tfjs-node');",
      "const model = await tf.loadLayersModel('file://' + __dirname + '/model.json');",
      '```',
      '',
      'In a browser, serve this folder and use `tf.loadLayersModel(url + "/model.json")`.',
    ];
  }
  return [
    `The model uses NAS Studio's own layers (${custom.join(', ')}). \`${LAYERS_LOADER_FILE}\` registers them with your`,
    'TensorFlow.js (any 4.x, plain `@tensorflow/tfjs` included); load it before the model:',
    '',
    '```js',
    "const tf = require('@tensorflow/tfjs-node'); // or require('@tensorflow/tfjs')",
    `require('./${LAYERS_LOADER_FILE}').register(tf);`,
    "const model = await tf.loadLayersModel('file://' + __dirname + '/model.json');",
    '```',
    '',
    `In a browser, load \`${LAYERS_LOADER_FILE}\` after TensorFlow.js (it registers with \`window.tf\`), serve this folder and use`,
    '`tf.loadLayersModel(url + "/model.json")`.',
  ];
}
