// Issue 10, item 0: the best model a run trained is its result. A 10-minute Hyperband run ended with a trial cut
// by the budget after 3 slow epochs at 0.712 while two trials waited at their rungs at 0.887 and 0.860: the
// run's best is the paused 0.887 one, and the summary, the panel and `export --best` agree on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrialConfig } from '../../src/shared/arch';
import type { RunEvent } from '../../src/shared/events';
import { Journal } from '../../src/core/journal';
import { runPaths, trialDir } from '../../src/core/rundir';
import { isPaused, isRanked, RunState } from '../../src/core/runstate';
import { printSummary, summaryLine } from '../../src/cli/summary';
import { leaderboardRows, objectiveSeries, PanelModel } from '../../webview/model';
import { cli } from '../helpers/cli';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const m = (acc: number) => ({ loss: 1 - acc, accuracy: acc, val_loss: 1 - acc, val_accuracy: acc });
const config = (units: number): TrialConfig => ({
  arch: {
    kind: 'sequential',
    layers: [
      { type: 'flatten', source: 'architecture.layers[0]' },
      { type: 'dense', source: 'architecture.layers[1]', units, activation: 'relu' },
    ],
  },
  training: { optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 4 },
  params: { 'architecture.layers[1].units': units },
});
const paused = (s: number, trial: number, rung: number, epochs: number, value: number): RunEvent => ({
  type: 'trial-pruned',
  time: at(s),
  trial,
  epoch: epochs - 1,
  value,
  reason: `stopped at rung ${rung} after ${epochs} epochs; continues if it ranks in the top 1/3 there`,
  params: 1000,
  durationMs: 1000,
  rung,
});

/** The run: Hyperband (1, 3, 4 epochs), a 10-minute budget, a test set. */
const RUN: RunEvent[] = [
  {
    type: 'run-started',
    time: at(0),
    launched: at(0),
    runId: 'issue-10',
    name: 'fashion',
    specHash: 'h',
    specFile: '/w/fashion.nas.json',
    backend: 'wasm',
    strategy: 'tpe',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    pruner: 'hyperband',
    budget: { trials: 30, minutes: 10 },
    parallel: 2,
    resumed: false,
    inputShape: [28, 28, 1],
    outputs: 10,
    test: 't10k-images-idx3-ubyte',
  },
  { type: 'trial-started', time: at(1), trial: 0, attempt: 1, worker: 0, config: config(128), rung: 0, epochs: 1 },
  { type: 'trial-started', time: at(1), trial: 1, attempt: 1, worker: 1, config: config(64), rung: 0, epochs: 1 },
  { type: 'epoch', time: at(60), trial: 0, epoch: 0, metrics: m(0.85) },
  paused(60, 0, 0, 1, 0.85),
  { type: 'weights', time: at(60), trial: 0, saved: true },
  { type: 'epoch', time: at(70), trial: 1, epoch: 0, metrics: m(0.86) },
  paused(70, 1, 0, 1, 0.86),
  { type: 'weights', time: at(70), trial: 1, saved: true },
  { type: 'trial-promoted', time: at(70), trial: 0, rung: 1, fromEpoch: 1, epochs: 3, worker: 0, attempt: 1 },
  { type: 'trial-started', time: at(71), trial: 2, attempt: 1, worker: 1, config: config(256), rung: 0, epochs: 4 },
  { type: 'epoch', time: at(150), trial: 0, epoch: 1, metrics: m(0.874) },
  { type: 'epoch', time: at(230), trial: 0, epoch: 2, metrics: m(0.887) },
  paused(230, 0, 1, 3, 0.887),
  { type: 'weights', time: at(230), trial: 0, saved: true },
  { type: 'epoch', time: at(250), trial: 2, epoch: 0, metrics: m(0.52) },
  { type: 'epoch', time: at(420), trial: 2, epoch: 1, metrics: m(0.66) },
  { type: 'epoch', time: at(590), trial: 2, epoch: 2, metrics: m(0.712) },
  {
    type: 'trial-cut',
    time: at(600),
    trial: 2,
    reason: 'budget',
    epochs: 3,
    plannedEpochs: 4,
    value: 0.712,
    bestEpoch: 2,
    metrics: m(0.712),
    params: 4000,
    durationMs: 529_000,
    rung: 0,
  },
  { type: 'weights', time: at(600), trial: 2, saved: true },
  { type: 'test-evaluated', time: at(605), trial: 0, samples: 10_000, test_accuracy: 0.881, test_loss: 0.33 },
  { type: 'test-evaluated', time: at(605), trial: 1, samples: 10_000, test_accuracy: 0.853, test_loss: 0.4 },
  { type: 'test-evaluated', time: at(606), trial: 2, samples: 10_000, test_accuracy: 0.706, test_loss: 0.8 },
  { type: 'run-finished', time: at(607), reason: 'time', best: { trial: 0, value: 0.887 } },
];

test('paused trials rank on what they reached, with the budget-cut one: the best is the paused 0.887 trial', () => {
  const s = RunState.from(RUN);
  assert.deepEqual(
    [...s.trials.values()].map((t) => [t.trial, t.status, isPaused(t), isRanked(t)]),
    [
      [0, 'pruned', true, true],
      [1, 'pruned', true, true],
      [2, 'cut', false, true],
    ],
  );
  assert.deepEqual(
    s.ranked().map((t) => [t.trial, t.value]),
    [
      [0, 0.887],
      [1, 0.86],
      [2, 0.712],
    ],
  );
  assert.equal(s.best()?.trial, 0);
});

test('a trial pruned for being worse (no rung) does not rank, even with a higher value', () => {
  const s = RunState.from([
    ...RUN.slice(0, -1),
    { type: 'trial-started', time: at(601), trial: 3, attempt: 1, worker: 0, config: config(32) },
    { type: 'epoch', time: at(602), trial: 3, epoch: 0, metrics: m(0.95) },
    { type: 'trial-pruned', time: at(602), trial: 3, epoch: 0, value: 0.95, reason: 'below the median', params: 10, durationMs: 5 },
  ]);
  assert.equal(isRanked(s.trials.get(3)!), false);
  assert.equal(s.best()?.trial, 0);
});

test('the summary, the panel and `export --best` agree on the paused trial', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-best-'));
  const p = runPaths(dir);
  const j = new Journal(p.journal);
  for (const e of RUN) j.append(e);
  j.close();
  // Each kept trial's files say which trial they are, so the export can be told apart.
  for (const trial of [0, 1, 2]) {
    fs.mkdirSync(trialDir(p, trial), { recursive: true });
    fs.writeFileSync(path.join(trialDir(p, trial), 'model.json'), JSON.stringify({ modelTopology: { trial }, weightsManifest: [] }));
    fs.writeFileSync(path.join(trialDir(p, trial), 'weights.bin'), Buffer.from([trial]));
  }
  const state = RunState.from(RUN);
  const outcome = { runDir: dir, state, reason: 'time' as const };

  const line = summaryLine(outcome);
  assert.equal(line.best?.trial, 0);
  assert.equal(line.best?.value, 0.887);
  assert.equal(line.best?.test_accuracy, 0.881);
  const out: string[] = [];
  printSummary(outcome, { out: (s: string) => out.push(s), err: () => {} } as never, 'nas-studio');
  assert.ok(
    out.some((l) => l.startsWith('best: trial 0, val_accuracy = 0.887')),
    out.join('\n'),
  );

  const panel = new PanelModel();
  panel.apply({ method: 'init', params: { runDir: dir, status: 'finished', canResume: false, events: RUN } });
  assert.equal(panel.best()?.trial, 0);
  assert.deepEqual(
    leaderboardRows(panel).map((r) => [r.trial, r.rank, r.state]),
    [
      [0, 1, 'pruned'],
      [1, 2, 'pruned'],
      [2, 3, 'cut'],
    ],
  );
  assert.equal(objectiveSeries(panel, 'trial').best.at(-1), 0.887, 'the best-so-far line ends at the paused trial');

  const to = path.join(dir, 'exported');
  const r = await cli('export', dir, '--best', '--out', to);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(fs.readFileSync(path.join(to, 'weights.bin')), Buffer.from([0]));
  const info = JSON.parse(fs.readFileSync(path.join(to, 'architecture.json'), 'utf8')) as { trial: number; value: number; test_accuracy: number };
  assert.deepEqual([info.trial, info.value, info.test_accuracy], [0, 0.887, 0.881]);
  fs.rmSync(dir, { recursive: true, force: true });
});
