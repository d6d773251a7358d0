// A trial cut by the run's time budget (`trial-cut`): recorded with its full epochs, never as completed, ranked on
// what it reached, and not restarted by a resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochMetrics, RunEvent } from '../../src/shared/events';
import { parseJournal } from '../../src/core/journal';
import { RunState } from '../../src/core/runstate';
import { started as runStarted } from '../helpers/events';

const t = '2026-12-03T10:00:00.000Z';
const config = {
  arch: { kind: 'sequential' as const, layers: [] },
  training: { optimizer: 'adam' as const, learningRate: 0.01, batchSize: 8, epochs: 5 },
  params: {},
};
const m = (acc: number): EpochMetrics => ({ loss: 1 - acc, val_loss: 1 - acc, accuracy: acc, val_accuracy: acc });
const started = runStarted(0, { time: t, budget: { trials: 3, minutes: 0.2 }, parallel: 2, inputShape: [4], outputs: 2 });

function run(): RunEvent[] {
  return [
    started,
    { type: 'trial-started', time: t, trial: 0, attempt: 1, worker: 0, config },
    { type: 'trial-started', time: t, trial: 1, attempt: 1, worker: 1, config },
    { type: 'epoch', time: t, trial: 0, epoch: 0, metrics: m(0.6) },
    { type: 'epoch', time: t, trial: 1, epoch: 0, metrics: m(0.7) },
    { type: 'epoch', time: t, trial: 1, epoch: 1, metrics: m(0.9) },
    { type: 'epoch', time: t, trial: 1, epoch: 2, metrics: m(0.8) },
    {
      type: 'trial-completed',
      time: t,
      trial: 0,
      value: 0.6,
      bestEpoch: 0,
      metrics: m(0.6),
      epochs: 1,
      params: 10,
      durationMs: 5,
      stopReason: 'early-stopping',
    },
    { type: 'trial-started', time: t, trial: 2, attempt: 1, worker: 0, config },
    {
      type: 'trial-cut',
      time: t,
      trial: 1,
      reason: 'budget',
      epochs: 3,
      plannedEpochs: 5,
      value: 0.9,
      bestEpoch: 1,
      metrics: m(0.9),
      params: 20,
      durationMs: 9,
    },
    // The budget stopped trial 2 before its first epoch ended: recorded, with nothing to rank it by.
    { type: 'trial-cut', time: t, trial: 2, reason: 'budget', epochs: 0, plannedEpochs: 5, bestEpoch: -1, durationMs: 1 },
    { type: 'run-finished', time: t, reason: 'time', best: { trial: 1, value: 0.9 } },
  ];
}

test('a cut trial keeps its full epochs, is recorded as cut (not completed), and ranks on its best full epoch', () => {
  const s = RunState.from(run());
  const cut = s.trials.get(1)!;
  assert.equal(cut.status, 'cut');
  assert.equal(cut.history.length, 3);
  assert.equal(cut.plannedEpochs, 5);
  assert.equal(cut.value, 0.9);
  assert.equal(cut.params, 20);
  assert.equal(s.best()?.trial, 1, 'a cut trial competes for best on what it reached');
  assert.deepEqual(
    s.ranked().map((x) => x.trial),
    [1, 0],
  );
  assert.deepEqual(s.counts(), { completed: 1, failed: 0, pruned: 0, cut: 2, running: 0, done: 3 });
});

test('a cut with no full epoch is recorded but not ranked; no cut trial is restarted by a resume', () => {
  const s = RunState.from(run());
  assert.equal(s.trials.get(2)!.status, 'cut');
  assert.equal(s.trials.get(2)!.value, undefined);
  assert.deepEqual(s.unfinished(), []);
  assert.deepEqual(
    s.order.map((o) => [o.trial, o.status]),
    [
      [0, 'completed'],
      [1, 'cut'],
      [2, 'cut'],
    ],
  );
});

test('an epoch event past the cut does not lengthen the trial; a replayed cut is not counted twice', () => {
  const events = run();
  const i = events.findIndex((e) => e.type === 'trial-cut');
  const late: RunEvent = { type: 'epoch', time: t, trial: 1, epoch: 3, metrics: m(0.95) };
  const s = RunState.from([...events.slice(0, i), late, ...events.slice(i), events[i]]);
  assert.equal(s.trials.get(1)!.history.length, 3);
  assert.equal(s.order.filter((o) => o.trial === 1).length, 1);
});

test('trial-cut round-trips through the journal', () => {
  const text = run()
    .map((e) => JSON.stringify(e))
    .join('\n');
  const { events } = parseJournal(text + '\n');
  assert.equal(events.filter((e) => e.type === 'trial-cut').length, 2);
  assert.equal(RunState.from(events).trials.get(1)!.status, 'cut');
});
