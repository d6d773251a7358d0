// The NAS Studio arm of the race: one search through the Orchestrator (the product's own engine, workers and
// test-set evaluation), plus what the race needs beyond the product: a copy of the best trial's weights each
// time the best changes, scored on the test set after the budget (by a worker, as the product scores), so the
// race can say when the answer a user would have got first reached a test accuracy.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../src/shared/events';
import type { Evaluation, FromWorker, ModelArtifactsMessage, ToWorker } from '../src/shared/protocol';
import type { NasSpec } from '../src/shared/spec';
import { checkText } from '../src/core/check';
import { readJournal } from '../src/core/journal';
import { MODEL_FILE, WEIGHTS_FILE } from '../src/core/modelfiles';
import { trialDir, runPaths } from '../src/core/rundir';
import { Orchestrator } from '../src/engine/orchestrator';
import type { WorkerEntry } from '../src/engine/pool';
import { formatWallTime, wallTime } from './wallTime';

export interface TimelinePoint {
  /** Seconds since the arm started. */
  t: number;
  trial: number;
  val_accuracy: number;
  test_accuracy?: number;
}

export interface ArmResult {
  name: string;
  seed: number;
  val_accuracy: number | null;
  test_accuracy: number | null;
  trials: number;
  epochs: number;
  /** Wall time of the search itself, from launch to the end of its last trial (test scoring excluded). */
  seconds: number;
  /** Incumbents over time: each time the arm's best trial changed. */
  timeline: TimelinePoint[];
  /** What the arm did beyond the headline: completed, pruned, cut trials; the product's own test score. */
  detail: Record<string, unknown>;
}

/** A timeline point while the arm runs: the copy of the incumbent's weights, and its batch size for scoring. */
interface Incumbent extends TimelinePoint {
  snapshot?: string;
  batch: number;
}

export function workerEntry(): WorkerEntry {
  const built = path.join(__dirname, '..', 'dist', 'worker.js');
  if (!fs.existsSync(built)) throw new Error('dist/worker.js is missing: run `node scripts/build.mjs` first (npm run bench:race does)');
  return { file: built, execArgv: [] };
}

export async function runNasArm(name: string, spec: NasSpec, dir: string, seed: number): Promise<ArmResult> {
  const text = JSON.stringify(spec, null, 2);
  const file = path.join(dir, 'race.nas.json');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, text);
  const errors = checkText(text, { file }).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${name}: the spec does not check: ${errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  const snapshots = path.join(dir, 'snapshots');
  fs.mkdirSync(snapshots, { recursive: true });
  const launch = Date.now();
  const seconds = () => (Date.now() - launch) / 1000;
  const timeline: Incumbent[] = [];
  let searchEnd: number | undefined;
  let epochs = 0;
  let runDir = '';
  const orch: Orchestrator = new Orchestrator({
    spec,
    specText: text,
    specFile: file,
    runsDir: path.join(dir, 'runs'),
    workerEntry: workerEntry(),
    onEvent: (e: RunEvent) => {
      if (e.type === 'epoch') epochs++;
      // The search is over once the test set is being scored, or the run ends without one.
      if (searchEnd === undefined && ((e.type === 'log' && e.message.startsWith('scoring ')) || e.type === 'test-evaluated' || e.type === 'run-finished'))
        searchEnd = seconds();
      if (searchEnd !== undefined) return;
      const best = orch.state.best();
      const last = timeline[timeline.length - 1];
      if (best && best.value !== undefined && (!last || last.trial !== best.trial || last.val_accuracy !== best.value)) {
        // The best can hand over and come back (a trial paused at a rung, then promoted) with no new weights: the
        // weights kept for that value are the ones already copied.
        const kept = timeline.find((p) => p.trial === best.trial && p.val_accuracy === best.value && p.snapshot)?.snapshot;
        timeline.push({ t: seconds(), trial: best.trial, val_accuracy: best.value, batch: best.config.training.batchSize, snapshot: kept });
      }
      if (e.type === 'weights' && e.saved) {
        // The best trial's weights as they are now: a later promotion may overwrite the kept ones.
        const pending = timeline.filter((p) => p.trial === e.trial && !p.snapshot);
        if (pending.length) {
          const to = path.join(snapshots, `${e.trial}-${timeline.length}`);
          fs.cpSync(trialDir(runPaths(orch.runDir), e.trial), to, { recursive: true });
          for (const p of pending) p.snapshot = to;
        }
      }
    },
  });
  runDir = orch.runDir;
  process.stderr.write(`[${name} seed ${seed}] ${runDir}\n`);
  const outcome = await orch.run();
  if (outcome.reason === 'error') throw new Error(`${name}: ${outcome.message}`);
  const state = outcome.state;
  await scoreTimeline(spec, file, seed, timeline);
  const best = state.best();
  const last = timeline[timeline.length - 1];
  const c = state.counts();
  // Where the budget went (start-up, set-up, epochs, lost, idle): what a scheduling change is judged by.
  const time = wallTime(readJournal(runPaths(runDir).journal).events);
  process.stderr.write(`[${name} seed ${seed}] ${formatWallTime(time).replace(/\n/g, `\n[${name} seed ${seed}] `)}\n`);
  return {
    name,
    seed,
    val_accuracy: best?.value ?? null,
    test_accuracy: last?.test_accuracy ?? null,
    trials: state.trials.size,
    epochs,
    seconds: Math.round((searchEnd ?? seconds()) * 10) / 10,
    timeline: timeline.map(({ snapshot: _s, batch: _b, ...p }) => p),
    detail: {
      completed: c.completed,
      pruned: c.pruned,
      failed: c.failed,
      cut: (c as { cut?: number }).cut ?? 0,
      best_trial: best?.trial,
      // The product's own end-of-run score of its best trial; it must equal the race's (the same weights).
      product_test_accuracy: best?.test?.accuracy ?? null,
      runDir,
      wall_time: time,
    },
  };
}

/** Scores each incumbent's snapshot on the test set in one worker process, as the product's evaluation does. */
async function scoreTimeline(spec: NasSpec, file: string, seed: number, timeline: Incumbent[]): Promise<void> {
  const todo = timeline.filter((p) => p.snapshot);
  if (!todo.length) return;
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.file, [], { execArgv: entry.execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const next = (method: FromWorker['method']) =>
    new Promise<FromWorker>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.method === method || m.method === 'init-failed') {
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (m.method === 'init-failed') reject(new Error(m.params.error));
          else resolve(m);
        }
      };
      const onExit = () => reject(new Error(`the scoring worker exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const send = (m: ToWorker) => child.send(m);
  try {
    send({ method: 'init', params: { dataset: spec.dataset, task: spec.task, baseDir: path.dirname(file), seed, backend: 'auto' } });
    await next('ready');
    const scores = new Map<string, number | undefined>();
    for (const p of todo) {
      if (!scores.has(p.snapshot!)) {
        send({ method: 'evaluate', params: { trial: p.trial, weights: readWeights(p.snapshot!), batchSize: p.batch } });
        const r = (await next('evaluation')) as Evaluation;
        if (r.params.error) throw new Error(`scoring trial ${p.trial}: ${r.params.error}`);
        scores.set(p.snapshot!, r.params.accuracy);
      }
      p.test_accuracy = scores.get(p.snapshot!);
    }
  } finally {
    child.disconnect();
  }
}

function readWeights(dir: string): ModelArtifactsMessage {
  const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), 'utf8')) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[] };
  const b = fs.readFileSync(path.join(dir, WEIGHTS_FILE));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  };
}
