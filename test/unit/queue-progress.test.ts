// `run --queue` output: which worker (host, pid) took and trained each trial, and how many workers serve the
// queue, from the journal's `trial-assigned` and `workers` events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../src/shared/events';
import { RunState } from '../../src/core/runstate';
import { LiveProgress } from '../../src/cli/progress';
import { at, completed, epoch, started, trialStarted } from '../helpers/events';

test('plain output names the worker of each trial and the workers connected', () => {
  const err: string[] = [];
  const p = new LiveProgress({ out: () => undefined, err: (s) => err.push(s), tty: false }, 'plain');
  const state = new RunState();
  p.attach(state);
  const events: RunEvent[] = [
    started(0, { host: 'ws-1' }),
    { type: 'workers', time: at(0), connected: 2, slots: 3 },
    trialStarted(1, 0, 1),
    { type: 'trial-assigned', time: at(1), trial: 0, host: 'gpu-2', pid: 311, backend: 'wasm' },
    epoch(2, 0, 0, 0.5),
    completed(3, 0, 0.5, 1),
    // A local trial (a forked worker: no assignment) says nothing about a host.
    { ...(trialStarted(4, 1, 1) as Extract<RunEvent, { type: 'trial-started' }>), pid: 88 },
    epoch(5, 1, 0, 0.4),
    completed(6, 1, 0.4, 1),
  ];
  for (const e of events) {
    state.apply(e);
    p.event(e);
  }
  p.close();
  const text = err.join('\n');
  assert.match(text, /^queue workers connected: 2 \(3 slots\)$/m);
  assert.match(text, /^trial 0 taken by gpu-2 \(pid 311\)$/m);
  assert.match(text, /^trial 0: val_accuracy 0\.5 after 1 epoch \([^)]*, on gpu-2 \(pid 311\)\)/m);
  assert.match(text, /^trial 1: val_accuracy 0\.4 after 1 epoch \(\d[^,)]*\)$/m);
});
