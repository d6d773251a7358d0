// A run's active time, the base of a time budget across resumes: each launch counts from when it began (worker
// start-up included), not from when its first worker became ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../src/shared/events';
import { activeTime } from '../../src/core/timing';
import { at, started as runStarted } from '../helpers/events';

/** A launch whose first worker was ready at `s` seconds, launched at `launched` (journals before `launched` lack it). */
const started = (s: number, launched?: number): RunEvent =>
  runStarted(s, { budget: { trials: 4, minutes: 0.2 }, parallel: 2, ...(launched !== undefined ? { launched: at(launched) } : {}) });
const finished = (s: number): RunEvent => ({ type: 'run-finished', time: at(s), reason: 'time' });

test('a launch counts from its start, worker start-up included: a resume after a spent 12 s budget has none left', () => {
  // Launched at 0 s, first worker ready at 5 s, budget ended at 12 s.
  assert.equal(activeTime([started(5, 0), finished(12)]), 12_000);
  // Two launches add up; the time between them does not count.
  assert.equal(activeTime([started(5, 0), finished(8), started(102, 100), finished(104)]), 12_000);
});

test('journals from before `launched` count from the first ready worker; a launch time after it is ignored', () => {
  assert.equal(activeTime([started(5), finished(12)]), 7_000);
  assert.equal(activeTime([started(5, 9), finished(12)]), 7_000);
});
