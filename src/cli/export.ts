// `nas-studio export`: copies a kept trial's tfjs model out of the run folder, with a loader for Node, its
// architecture and a README. No retraining: the run kept the top trials' weights.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../shared/cli';
import { formatValue } from '../shared/format';
import { readJournal } from '../core/journal';
import { readLock, trialDir } from '../core/rundir';
import { lockState } from '../core/runlock';
import { isPaused, RunState, type TrialState } from '../core/runstate';
import { MODEL_FILE } from '../core/modelfiles';
import { customClassesIn, LAYERS_LOADER_FILE } from '../shared/layers';
import { exportReadme, LOADER_FILE, LOADER_SOURCE } from './exportFiles';
import { requireRunDir } from './files';
import { testFields } from './testlines';
import { CliFailure, type Io } from './report';

export interface ExportOptions {
  trial?: number;
  best?: boolean;
  out: string;
}

export function exportCommand(dir: string, o: ExportOptions, io: Pick<Io, 'out' | 'err'>): number {
  const p = requireRunDir(dir);
  const state = RunState.from(readJournal(p.journal).events);
  const t = o.trial !== undefined ? state.trials.get(o.trial) : state.best();
  if (!t) throw new CliFailure('no-trial', o.trial !== undefined ? `the run has no trial ${o.trial}` : 'the run has no completed trial to export yet');
  // Trials cut by the budget or paused at a rung rank with the completed ones, so they export like them.
  if (t.status !== 'completed' && t.status !== 'cut' && !isPaused(t)) {
    const lock = readLock(p);
    throw new CliFailure(
      'no-trial',
      `${notExportable(t, !!lock && lockState(lock) === 'running')}; only trials that rank (completed, cut, paused at a rung) can be exported`,
    );
  }
  const src = trialDir(p, t.trial);
  if (!t.hasWeights || !fs.existsSync(path.join(src, 'model.json'))) {
    const kept = state
      .ranked()
      .filter((x) => x.hasWeights)
      .map((x) => x.trial);
    throw new CliFailure(
      'no-trial',
      `trial ${t.trial} kept no weights (the run keeps the best ${kept.length ? `ones: ${kept.join(', ')}` : 'few'}); raise search.keepTop to keep more`,
    );
  }
  const out = path.resolve(o.out);
  // NAS Studio's own layers (attention, positional embedding) need their classes registered before loading.
  const custom = customClassesIn((JSON.parse(fs.readFileSync(path.join(src, MODEL_FILE), 'utf8')) as { modelTopology?: unknown }).modelTopology);
  const layers = custom.length ? layersLoader() : undefined;
  if (custom.length && !layers) {
    throw new CliFailure('unreadable', `the model uses ${custom.join(', ')}, but ${LAYERS_LOADER_FILE} is missing next to the CLI`, [], 'run `npm run build`');
  }
  fs.mkdirSync(out, { recursive: true });
  for (const f of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(src, f), path.join(out, f));
  const started = state.started;
  const metrics = t.history.filter(Boolean);
  const info = {
    run: started?.runId,
    name: started?.name,
    trial: t.trial,
    objective: started?.objective,
    value: t.value,
    ...testFields(t),
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
  fs.writeFileSync(path.join(out, LOADER_FILE), LOADER_SOURCE);
  if (layers) fs.copyFileSync(layers, path.join(out, LAYERS_LOADER_FILE));
  fs.writeFileSync(path.join(out, 'README.md'), exportReadme(started, t, started?.runId ?? path.basename(p.dir), custom));
  const m = started?.objective.metric ?? 'objective';
  io.out(`exported trial ${t.trial} (${m} = ${formatValue(t.value)}) to ${path.relative(process.cwd(), out) || out}`);
  return EXIT.ok;
}

/** Why a trial has no model to export, in the words the panel uses for it. */
function notExportable(t: TrialState, runLive: boolean): string {
  switch (t.status) {
    case 'running':
      return runLive
        ? `trial ${t.trial} is still training`
        : `trial ${t.trial} was interrupted (the run stopped before it finished; resume the run to finish it)`;
    case 'pruned':
      return `trial ${t.trial} was pruned${t.reason ? ` (${t.reason})` : ''}`;
    case 'failed':
      return `trial ${t.trial} failed${t.error ? ` (${t.error})` : ''}`;
    default:
      return `trial ${t.trial} is ${t.status}`;
  }
}

/** The bundled layers loader: next to the CLI bundle (dist/), or in dist/ when the CLI runs from source. */
function layersLoader(): string | undefined {
  return [path.join(__dirname, LAYERS_LOADER_FILE), path.join(__dirname, '..', '..', 'dist', LAYERS_LOADER_FILE)].find((f) => fs.existsSync(f));
}
