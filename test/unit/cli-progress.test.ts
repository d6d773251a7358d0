// What `nas-studio run` shows while it runs and when it ends: the live line in a terminal (trials done, each
// running trial's epoch, best, elapsed, ETA), plain lines elsewhere, JSON lines untouched, and a summary that
// describes the last launch after interrupt / resume / interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../src/shared/events';
import { RunState } from '../../src/core/runstate';
import { LiveProgress, type ProgressMode } from '../../src/cli/progress';
import { analysisLines, summaryLine } from '../../src/cli/summary';
import { at, epoch, started, T0, trial, trialStarted } from '../helpers/events';

function harness(mode: ProgressMode, columns = 200) {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  let now = T0;
  const p = new LiveProgress({ out: (s) => out.push(s), err: (s) => err.push(s), tty: mode === 'tty', write: (s) => raw.push(s), columns }, mode, () => now);
  const state = new RunState();
  p.attach(state);
  const feed = (...events: RunEvent[]) => {
    for (const e of events) {
      // As the orchestrator does: the state first, then the listener.
      state.apply(e);
      now = Math.max(now, Date.parse(e.time));
      p.event(e);
    }
  };
  return { p, out, err, raw, feed, setNow: (s: number) => (now = T0 + s * 1000) };
}

test('in a terminal: a live line with trials done, the running trial and its epoch, best and ETA', () => {
  const h = harness('tty');
  h.feed(started(0, { budget: { trials: 4 } }), ...trial(0, 0, 0.5), trialStarted(3, 1), epoch(4, 1, 0, 0.6));
  h.setNow(5);
  const line = h.p.liveLine()!;
  assert.match(line, /^trials 1\/4 \| #1 epoch 2\/3 \| best 0\.5 \(#0\) \| 0:05 elapsed \| ETA /);
  // 1.33 trials of work (one done, a third of the next) in 5 s: the 2.67 left take 10 s.
  assert.match(line, /ETA 0:10$/);
  // Drawn in place (carriage return, clear to end of line); finished trials are kept as lines above it.
  assert.ok(
    h.raw.some((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && w.includes('trials 1/4')),
    h.raw.join(''),
  );
  assert.ok(
    h.err.some((l) => /^trial 0: val_accuracy 0\.5 after 3 epochs/.test(l)),
    h.err.join('\n'),
  );
  assert.ok(!h.err.some((l) => /epoch 1\/3/.test(l)), 'no epoch lines in a terminal: the live line shows them');
  h.p.close();
});

test('the live line never wraps: it is cut to the terminal width', () => {
  const h = harness('tty', 40);
  h.feed(started(0), trialStarted(1, 0), trialStarted(1, 1), trialStarted(1, 2));
  h.setNow(2);
  h.p.print('a kept line');
  const drawn = h.raw.filter((w) => w.startsWith('\r') && w.length > 4).at(-1)!;
  assert.ok(drawn.replace('\r', '').replace('\x1b[K', '').length <= 39, JSON.stringify(drawn));
  h.p.close();
});

test('not a terminal: plain lines for each trial started and each epoch, no control characters', () => {
  const h = harness('plain');
  h.feed(started(0, { budget: { trials: 4 } }), ...trial(0, 0, 0.5, 2));
  const text = h.err.join('\n');
  assert.match(text, /^starting demo: random search, 4 trials, 1 worker on wasm$/m);
  assert.match(text, /^trial 0 started \(1 of 4\): conv2d\(4,3x3\) > flatten > dense\(8,relu\)$/m);
  assert.match(text, /^trial 0 epoch 1\/2: val_accuracy 0\.5, val_loss 0\.6$/m);
  assert.match(text, /^trial 0: val_accuracy 0\.5 after 2 epochs \(2\.0 s\) {2}\(best so far\)$/m);
  assert.deepEqual(h.raw, []);
  assert.ok(!text.includes('\r') && !text.includes('\x1b'), 'no carriage returns or escape sequences');
});

test('--json: each event printed as it is, nothing else on stdout or stderr', () => {
  const h = harness('json');
  const events = [started(0), ...trial(0, 0, 0.5, 1)];
  h.feed(...events);
  assert.deepEqual(
    h.out.map((l) => JSON.parse(l)),
    events,
  );
  assert.deepEqual(h.err, []);
  assert.deepEqual(h.raw, []);
});

test('after interrupt, resume, interrupt: the summary counts this run, not the first launch', () => {
  const importance = { type: 'analysis', time: at(10), objectives: [{ metric: 'val_accuracy', direction: 'maximize' }], epochs: 6 } as RunEvent;
  const withImportance = {
    ...importance,
    importance: [{ param: 'architecture.layers[0]@0.layers[0].kernelSize', importance: 0.7 }],
  } as RunEvent;
  const events: RunEvent[] = [
    started(0),
    ...trial(0, 0, 0.5),
    ...trial(3, 1, 0.6),
    withImportance,
    { type: 'run-finished', time: at(10), reason: 'time' },
    started(100, { resumed: true }),
    ...trial(100, 2, 0.7),
    trialStarted(103, 3),
    epoch(104, 3, 0, 0.4),
    { type: 'run-finished', time: at(105), reason: 'stopped', message: 'stopped by the user' },
  ];
  const state = RunState.from(events);
  const lines = analysisLines(state);
  assert.deepEqual(lines, ['epochs trained: 10'], 'no stale importance; the epochs of all three launches');
  assert.equal(summaryLine({ runDir: '/r', state, reason: 'stopped' }).analysis, undefined);
  // When the last launch wrote its own analysis, its importance shows, with readable parameter names.
  const finished = RunState.from([...events.slice(0, -1), withImportance, { type: 'run-finished', time: at(106), reason: 'budget' }]);
  assert.match(analysisLines(finished).join('\n'), /^ {2}block #1, conv2d #1: kernelSize +70\.0%$/m);
});
