// The results panel's reducer and selectors: host messages in, leaderboard rows, chart series and header
// numbers out. No DOM: the webview's model is plain TypeScript.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Assignment, TrialConfig } from '../../src/shared/arch';
import type { Direction, MetricName, RunEvent } from '../../src/shared/events';
import type { RunStatus } from '../../src/shared/panel';
import { at, completedWith, epoch } from '../helpers/events';
import { curveMetric, curveSeries, defaultDir, leaderboardRows, nextSort, objectiveSeries, PanelModel, sortRows, type Row } from '../../webview/model';

// Event builders: a run is a list of journal events, so the tests read like a journal.

function started(
  s: number,
  o: { metric?: MetricName; direction?: Direction; trials?: number; minutes?: number; resumed?: boolean; name?: string } = {},
): RunEvent {
  return {
    type: 'run-started',
    time: at(s),
    runId: 'r',
    name: o.name ?? 'test run',
    specHash: 'h',
    specFile: '/w/spec.nas.json',
    backend: 'cpu',
    strategy: 'random',
    objective: { metric: o.metric ?? 'val_accuracy', direction: o.direction ?? 'maximize' },
    budget: { trials: o.trials ?? 10, minutes: o.minutes },
    parallel: 2,
    resumed: o.resumed ?? false,
    inputShape: [8, 8, 1],
    outputs: 3,
  };
}

function config(params: Assignment = { 'architecture.layers[0].units': 32, 'training.learningRate': 0.001 }): TrialConfig {
  return {
    arch: {
      kind: 'sequential',
      layers: [
        { type: 'flatten', source: 'architecture.layers[0]' },
        { type: 'dense', source: 'architecture.layers[1]', units: 32, activation: 'relu' },
      ],
    },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 3 },
    params,
  };
}

function trialStarted(s: number, trial: number, params?: Assignment, attempt = 1): RunEvent {
  return { type: 'trial-started', time: at(s), trial, attempt, worker: 0, config: config(params) };
}

const completed = (
  s: number,
  trial: number,
  value: number,
  o: { params?: number; epochs?: number; stopReason?: 'epochs' | 'early-stopping' | 'time-limit' } = {},
) =>
  completedWith(s, trial, value, { metrics: { loss: 0, val_loss: 0 }, epochs: o.epochs ?? 1, params: o.params ?? 1000, stopReason: o.stopReason ?? 'epochs' });

function pruned(s: number, trial: number, value: number, reason = 'below median'): RunEvent {
  return { type: 'trial-pruned', time: at(s), trial, epoch: 0, value, reason, params: 500, durationMs: 500 };
}

function failed(s: number, trial: number, error: string, retry = false): RunEvent {
  return { type: 'trial-failed', time: at(s), trial, error, durationMs: 10, retry };
}

function finished(s: number, reason: 'budget' | 'stopped' = 'budget'): RunEvent {
  return { type: 'run-finished', time: at(s), reason };
}

function model(events: RunEvent[], status: RunStatus = 'finished', canResume = false): PanelModel {
  const m = new PanelModel();
  m.apply({ method: 'init', params: { runDir: '/w/run', status, canResume, events } });
  return m;
}

/** Five trials: three completed (0.5, 0.9, 0.7), one pruned, one failed for good. */
const RUN: RunEvent[] = [
  started(0),
  trialStarted(1, 0),
  epoch(2, 0, 0, 0.4),
  epoch(3, 0, 1, 0.5),
  completed(3, 0, 0.5, { epochs: 2 }),
  trialStarted(3, 1),
  epoch(4, 1, 0, 0.9),
  completed(4, 1, 0.9, { stopReason: 'early-stopping', params: 5000 }),
  trialStarted(4, 2),
  epoch(5, 2, 0, 0.2),
  pruned(5, 2, 0.2, 'below the median at epoch 1'),
  trialStarted(5, 3),
  failed(6, 3, 'out of memory'),
  trialStarted(6, 4),
  epoch(7, 4, 0, 0.7),
  completed(8, 4, 0.7),
  { type: 'weights', time: at(8), trial: 1, saved: true },
  finished(9),
];

describe('panel model: leaderboard rows', () => {
  it('has one row per trial with rank, value, weights, epochs, state and the reason it ended', () => {
    const rows = leaderboardRows(model(RUN));
    assert.deepEqual(
      rows.map((r) => [r.trial, r.rank, r.value, r.state, r.epochs]),
      [
        [0, 3, 0.5, 'completed', 2],
        [1, 1, 0.9, 'completed', 1],
        [2, undefined, 0.2, 'pruned', 1],
        [3, undefined, undefined, 'failed', 0],
        [4, 2, 0.7, 'completed', 1],
      ],
    );
    const byTrial = new Map(rows.map((r) => [r.trial, r]));
    assert.equal(byTrial.get(3)!.note, 'out of memory', 'a failed row shows its error');
    assert.equal(byTrial.get(2)!.note, 'below the median at epoch 1');
    assert.equal(byTrial.get(1)!.note, 'early stop');
    assert.equal(byTrial.get(0)!.note, '', 'a trial that ran all its epochs needs no note');
    assert.equal(byTrial.get(1)!.params, 5000);
    assert.equal(byTrial.get(1)!.hasWeights, true);
    assert.equal(byTrial.get(0)!.hasWeights, false);
  });

  it('ranks by the objective direction: lower is better when minimizing', () => {
    const rows = leaderboardRows(
      model([started(0, { metric: 'val_loss', direction: 'minimize' }), trialStarted(1, 0), completed(2, 0, 0.3), trialStarted(2, 1), completed(3, 1, 0.1)]),
    );
    assert.deepEqual(
      rows.map((r) => [r.trial, r.rank]),
      [
        [0, 2],
        [1, 1],
      ],
    );
  });

  it('shows a running trial as interrupted once the run is no longer live', () => {
    const events = [started(0), trialStarted(1, 0), epoch(2, 0, 0, 0.5)];
    assert.equal(leaderboardRows(model(events, 'running'))[0].state, 'running');
    const stopped = leaderboardRows(model(events, 'stopped', true))[0];
    assert.equal(stopped.state, 'interrupted');
    assert.match(stopped.note, /interrupted/);
  });

  it('notes the retry of a trial whose worker crashed', () => {
    const rows = leaderboardRows(model([started(0), trialStarted(1, 0), failed(2, 0, 'worker exited', true), trialStarted(3, 0, undefined, 2)], 'running'));
    assert.equal(rows[0].state, 'running');
    assert.equal(rows[0].attempts, 2);
    assert.match(rows[0].note, /attempt 2 after: worker exited/);
  });
});

describe('panel model: the test column', () => {
  const withTest = (events: RunEvent[]) => [{ ...started(0), test: 't10k-images-idx3-ubyte.gz' } as RunEvent, ...events.slice(1)];
  const scored = (trial: number, acc: number): RunEvent => ({
    type: 'test-evaluated',
    time: at(9),
    trial,
    samples: 100,
    test_loss: 1 - acc,
    test_accuracy: acc,
  });

  it("shows the kept trials' test accuracy beside the objective, and sorts by it best first", () => {
    const m = model(withTest([...RUN.slice(0, -1), scored(1, 0.85), scored(4, 0.88), finished(10)]));
    assert.equal(m.testMetric, 'test_accuracy');
    const rows = leaderboardRows(m);
    assert.deepEqual(
      rows.map((r) => [r.trial, r.value, r.test]),
      [
        [0, 0.5, undefined],
        [1, 0.9, 0.85],
        [2, 0.2, undefined],
        [3, undefined, undefined],
        [4, 0.7, 0.88],
      ],
    );
    const order = nextSort({ key: 'rank', dir: 'asc' }, 'test', 'maximize', m.testMetric);
    assert.deepEqual(order, { key: 'test', dir: 'desc' });
    assert.deepEqual(
      sortRows(rows, order).map((r) => r.trial),
      [4, 1, 0, 2, 3],
    );
  });

  it('a score belongs to its weights: new weights for the trial (a resume) clear it', () => {
    const m = model(withTest([...RUN.slice(0, -1), scored(1, 0.85), { type: 'weights', time: at(10), trial: 1, saved: true }]));
    assert.equal(leaderboardRows(m).find((r) => r.trial === 1)!.test, undefined);
  });

  it('without a test set the column has no metric and no values', () => {
    const m = model(RUN);
    assert.equal(m.testMetric, undefined);
    assert.ok(leaderboardRows(m).every((r) => r.test === undefined));
  });
});

describe('panel model: messages', () => {
  it('appends batched events after init and applies status changes', () => {
    const m = model(RUN.slice(0, 5), 'running');
    const v = m.version;
    m.apply({ method: 'events', params: { events: RUN.slice(5, 8) } });
    assert.equal(m.state.trials.size, 2);
    assert.ok(m.version > v, 'every message bumps the version the views memoise on');
    m.apply({ method: 'status', params: { status: 'stopped', canResume: true, message: 'stopped by the user' } });
    assert.equal(m.status, 'stopped');
    assert.equal(m.canResume, true);
    assert.equal(m.message, 'stopped by the user');
  });

  it('starts over on a second init (the page reloaded) instead of counting events twice', () => {
    const m = model(RUN);
    m.apply({ method: 'init', params: { runDir: '/w/run', status: 'finished', canResume: false, events: RUN } });
    assert.equal(m.state.trials.size, 5);
    assert.equal(m.progress().done, 5);
    assert.equal(m.timer.spans.length, 1);
  });

  it('keeps log lines, newest last, and takes the run name and metric from run-started', () => {
    const m = model([{ type: 'log', time: at(0), level: 'warn', message: 'wasm fallback' }, started(0, { name: 'shapes' })]);
    assert.equal(m.logs[0].message, 'wasm fallback');
    assert.equal(m.name, 'shapes');
    assert.equal(m.metric, 'val_accuracy');
  });
});

describe('panel model: sorting', () => {
  const rows = leaderboardRows(model(RUN));
  const order = (r: Row[]) => r.map((x) => x.trial);

  it('by rank: ranked best first, then the unranked by state (running, pruned, interrupted, failed)', () => {
    assert.deepEqual(order(sortRows(rows, { key: 'rank', dir: 'asc' })), [1, 4, 0, 2, 3]);
  });

  it('by objective: rows without a value stay last in both directions', () => {
    assert.deepEqual(order(sortRows(rows, { key: 'value', dir: 'desc' })), [1, 4, 0, 2, 3]);
    assert.deepEqual(order(sortRows(rows, { key: 'value', dir: 'asc' })), [2, 0, 4, 1, 3]);
  });

  it('ties break by trial number, so the order is stable across updates', () => {
    assert.deepEqual(order(sortRows(rows, { key: 'state', dir: 'asc' })), [0, 1, 4, 2, 3]);
    assert.deepEqual(order(sortRows(rows, { key: 'epochs', dir: 'desc' })), [0, 1, 2, 4, 3]);
  });

  it('does not reorder its input', () => {
    const copy = [...rows];
    sortRows(rows, { key: 'trial', dir: 'desc' });
    assert.deepEqual(rows, copy);
  });

  it('a first click sorts the objective best first; a second click reverses', () => {
    assert.equal(defaultDir('value', 'maximize'), 'desc');
    assert.equal(defaultDir('value', 'minimize'), 'asc');
    assert.deepEqual(nextSort({ key: 'rank', dir: 'asc' }, 'value', 'maximize'), { key: 'value', dir: 'desc' });
    assert.deepEqual(nextSort({ key: 'value', dir: 'desc' }, 'value', 'maximize'), { key: 'value', dir: 'asc' });
    assert.deepEqual(nextSort({ key: 'value', dir: 'desc' }, 'duration', 'maximize'), { key: 'duration', dir: 'asc' });
  });
});

describe('panel model: chart series', () => {
  it('by trial: a point per valued trial, best-so-far as a step that pruned values never raise', () => {
    const s = objectiveSeries(model(RUN), 'trial');
    assert.deepEqual(s.x, [0, 1, 2, 4]);
    assert.deepEqual(s.trials, [0, 1, 2, 4]);
    assert.deepEqual(s.completed, [0.5, 0.9, null, 0.7]);
    assert.deepEqual(s.pruned, [null, null, 0.2, null]);
    assert.deepEqual(s.best, [0.5, 0.9, 0.9, 0.9]);
  });

  it('over time: x is when each trial ended (unix seconds), best so far in the order trials ended', () => {
    const events = [started(0), trialStarted(1, 0), trialStarted(1, 1), completed(10, 1, 0.8), completed(20, 0, 0.6)];
    const s = objectiveSeries(model(events), 'time');
    assert.deepEqual(s.trials, [1, 0]);
    assert.deepEqual(s.x, [Date.parse(at(10)) / 1000, Date.parse(at(20)) / 1000]);
    assert.deepEqual(s.best, [0.8, 0.8]);
  });

  it('best so far follows the direction when minimizing', () => {
    const events = [
      started(0, { metric: 'val_loss', direction: 'minimize' }),
      trialStarted(1, 0),
      completed(2, 0, 0.5),
      trialStarted(2, 1),
      completed(3, 1, 0.7),
      trialStarted(3, 2),
      completed(4, 2, 0.2),
    ];
    assert.deepEqual(objectiveSeries(model(events), 'trial').best, [0.5, 0.5, 0.2]);
  });

  it('learning curves: the running trials while live, with the best as reference', () => {
    const events = [started(0), trialStarted(1, 0), epoch(2, 0, 0, 0.6), completed(2, 0, 0.6), trialStarted(2, 1), epoch(3, 1, 0, 0.3), epoch(4, 1, 1, 0.4)];
    const c = curveSeries(model(events, 'running'));
    assert.equal(c.metric, 'val_accuracy');
    assert.deepEqual(c.epochs, [1, 2]);
    assert.deepEqual(
      c.curves.map((x) => [x.trial, x.running, x.best, x.values]),
      [
        [0, false, true, [0.6, null]],
        [1, true, false, [0.3, 0.4]],
      ],
    );
  });

  it('learning curves: the top trials of a finished run', () => {
    const c = curveSeries(model(RUN));
    assert.deepEqual(
      c.curves.map((x) => x.trial),
      [1, 4, 0],
    );
    assert.ok(c.curves[0].best);
  });

  it('curves use the validation metric even for a training-metric objective', () => {
    assert.equal(curveMetric('accuracy'), 'val_accuracy');
    assert.equal(curveMetric('loss'), 'val_loss');
    assert.equal(curveMetric('val_loss'), 'val_loss');
  });
});

describe('panel model: progress and time', () => {
  it('counts done trials against the trial budget', () => {
    assert.deepEqual(model(RUN).progress(), { completed: 3, failed: 1, pruned: 1, cut: 0, running: 0, done: 5, budget: 10 });
  });

  it('elapsed time sums the launches and leaves out the time a run sat stopped', () => {
    const events = [started(0), trialStarted(1, 0), completed(10, 0, 0.5), started(1000, { resumed: true }), trialStarted(1001, 1), completed(1005, 1, 0.6)];
    assert.equal(model(events, 'finished').timing(Date.parse(at(5000))).elapsedMs, 15_000);
  });

  it('while live, counts up to now and estimates the rest from the current pace', () => {
    const events = [started(0, { trials: 4 }), trialStarted(0, 0), completed(10, 0, 0.5), trialStarted(10, 1), completed(20, 1, 0.5)];
    const t = model(events, 'running').timing(Date.parse(at(20)));
    assert.equal(t.elapsedMs, 20_000);
    assert.equal(t.etaMs, 20_000, '2 trials left at 10 s a trial');
  });

  it('the time budget caps the ETA', () => {
    const events = [started(0, { trials: 100, minutes: 1 }), trialStarted(0, 0), completed(10, 0, 0.5)];
    assert.equal(model(events, 'running').timing(Date.parse(at(50))).etaMs, 10_000);
  });

  it('no ETA once the run is not live or has no finished trial yet', () => {
    assert.equal(model(RUN, 'finished').timing(Date.now()).etaMs, undefined);
    assert.equal(model([started(0)], 'running').timing(Date.parse(at(5))).etaMs, undefined);
  });
});
