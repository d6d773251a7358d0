// bench/wallTime.ts: the breakdown the race prints of where a timed search's seconds went, per worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../src/shared/events';
import { wallTime } from '../../bench/wallTime';

const T0 = Date.parse('2026-12-03T07:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const config = { arch: { kind: 'sequential', layers: [] }, training: { epochs: 4, batchSize: 64 }, params: {} } as never;
const metrics = { loss: 1, val_loss: 1, val_accuracy: 0.8 };

function events(): RunEvent[] {
  return [
    {
      type: 'run-started',
      time: at(10),
      launched: at(0),
      budget: { trials: 100, minutes: 1 },
      parallel: 2,
    } as unknown as RunEvent,
    // worker 0: ready at 10 s, trial 0 builds 2 s, epochs of 10 s, paused at 33 s; 1 s idle; trial 2 cut at 60 s mid-epoch
    { type: 'trial-started', time: at(10), trial: 0, attempt: 1, worker: 0, config, rung: 0, epochs: 2 },
    { type: 'epoch', time: at(22), trial: 0, epoch: 0, metrics },
    { type: 'epoch', time: at(32), trial: 0, epoch: 1, metrics },
    { type: 'trial-pruned', time: at(33), trial: 0, epoch: 1, value: 0.8, reason: 'rung', params: 1, durationMs: 23000, rung: 0 },
    { type: 'trial-started', time: at(34), trial: 2, attempt: 1, worker: 0, config, rung: 0, epochs: 3 },
    { type: 'epoch', time: at(46), trial: 2, epoch: 0, metrics },
    { type: 'trial-cut', time: at(60), trial: 2, reason: 'budget', epochs: 1, plannedEpochs: 3, bestEpoch: 0, durationMs: 26000 },
    // worker 1: ready at 12 s, one trial that never finished an epoch before the cut
    { type: 'trial-started', time: at(12), trial: 1, attempt: 1, worker: 1, config, rung: 0, epochs: 1 },
    { type: 'trial-cut', time: at(60), trial: 1, reason: 'budget', epochs: 0, plannedEpochs: 1, bestEpoch: -1, durationMs: 48000 },
    { type: 'log', time: at(61), level: 'info', message: 'scoring 2 kept trials on the test set (t10k)' },
    { type: 'run-finished', time: at(70), reason: 'time' },
  ] as RunEvent[];
}

test('wall time splits each worker into start-up, set-up, epochs, lost work, idle gaps and tail', () => {
  const w = wallTime(events());
  assert.equal(w.searchS, 61);
  assert.equal(w.budgetS, 60);
  assert.equal(w.medianEpochS, 10);
  const [a, b] = w.workers;
  assert.equal(a.startupS, 10);
  // trial 0: first epoch 12 s of which 10 s is an epoch like its second: 2 s set-up; 1 s hand-back after the last epoch.
  // trial 2: one epoch only, nothing to compare it with: all 12 s count as epoch, and the segment is counted as
  // unsplit (the run's median epoch is no stand-in for another network's); the 14 s after it were lost to the cut.
  assert.equal(a.setupS, 2 + 1);
  assert.equal(a.epochS, 20 + 12);
  assert.equal(a.unsplit, 1);
  assert.equal(a.lostS, 14);
  assert.equal(a.idleS, 1);
  assert.equal(a.tailS, 1);
  assert.equal(a.epochs, 3);
  assert.equal(b.startupS, 12);
  assert.equal(b.lostS, 48);
  assert.equal(b.epochS, 0);
  assert.equal(b.epochs, 0);
  // Every second of the search is accounted for, per worker.
  for (const x of w.workers) assert.ok(Math.abs(x.startupS + x.setupS + x.epochS + x.lostS + x.idleS + x.tailS - w.searchS) < 1e-9);
});

test('a run without a search end (killed) ends at its last event', () => {
  const w = wallTime(events().slice(0, 7));
  assert.equal(w.searchS, 46);
  assert.equal(w.workers[0].lostS, 0);
});

test("a single-epoch segment is split with its own trial's epochs from another segment, not the run's median", () => {
  const evs = events();
  // trial 0 continues on worker 1 after trial 1: one 13 s first epoch, where trial 0's epoch is 10 s.
  evs.splice(
    10,
    0,
    { type: 'trial-promoted', time: at(60), trial: 0, rung: 1, fromEpoch: 2, epochs: 3, worker: 1, attempt: 1 } as RunEvent,
    { type: 'epoch', time: at(73), trial: 0, epoch: 2, metrics } as RunEvent,
    { type: 'trial-completed', time: at(73), trial: 0, value: 0.8, bestEpoch: 2, metrics, epochs: 3, params: 1, durationMs: 13000 } as unknown as RunEvent,
  );
  const w = wallTime(evs).workers[1];
  assert.equal(w.segments, 2);
  assert.equal(w.setupS, 3);
  assert.equal(w.epochS, 10);
  assert.equal(w.unsplit, 0);
});
