// The journal survives crashes: a torn last line is ignored (and repaired before the next append), damage
// anywhere else is reported with its line; replaying events gives the run's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import { Journal, JournalError, parseJournal, readJournal } from '../../src/core/journal';
import { RunState } from '../../src/core/runstate';
import { diffPaths, canonical, comparablePart } from '../../src/core/rundir';

const t = '2026-11-28T10:00:00.000Z';
const config = {
  arch: { kind: 'sequential' as const, layers: [] },
  training: { optimizer: 'adam' as const, learningRate: 0.01, batchSize: 8, epochs: 1 },
  params: {},
};
const events: RunEvent[] = [
  { type: 'trial-started', time: t, trial: 0, attempt: 1, worker: 0, config },
  { type: 'epoch', time: t, trial: 0, epoch: 0, metrics: { loss: 1, val_loss: 1.2, accuracy: 0.5, val_accuracy: 0.4 } },
  {
    type: 'trial-completed',
    time: t,
    trial: 0,
    value: 0.4,
    bestEpoch: 0,
    metrics: { loss: 1, val_loss: 1.2, val_accuracy: 0.4 },
    epochs: 1,
    params: 10,
    durationMs: 5,
    stopReason: 'epochs',
  },
  { type: 'trial-started', time: t, trial: 1, attempt: 1, worker: 1, config },
];

test('a torn last line is ignored, and the next append starts on a fresh line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-journal-'));
  const file = path.join(dir, 'journal.jsonl');
  const full = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  // A crash in the middle of writing the last event.
  fs.writeFileSync(file, full + JSON.stringify(events[1]).slice(0, 30));
  const r = readJournal(file);
  assert.equal(r.tornTail, true);
  assert.equal(r.events.length, 4);
  const j = new Journal(file);
  j.append({ type: 'trial-failed', time: t, trial: 1, error: 'boom', durationMs: 1, retry: false });
  j.close();
  const again = readJournal(file);
  assert.equal(again.events.length, 5, 'the event after the torn line survives');
  assert.equal(again.events[4].type, 'trial-failed');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('damage before the last line is an error naming the line', () => {
  const lines = events.map((e) => JSON.stringify(e));
  lines[1] = '{"type":"epoch", garbage';
  lines[2] = 'not json at all';
  assert.throws(
    () => parseJournal(lines.join('\n') + '\n', 'j.jsonl'),
    (e: unknown) => e instanceof JournalError && /j\.jsonl:3:/.test((e as Error).message),
  );
  assert.throws(() => parseJournal('{"type":"nope","time":"x"}\n', 'j.jsonl'), /j\.jsonl:1: not a run event/);
});

test('replay: finished trials in order, unfinished ones known, duplicates ignored', () => {
  const s = RunState.from([...events, events[2]]);
  assert.deepEqual(
    s.order.map((o) => o.trial),
    [0],
  );
  assert.deepEqual(
    s.unfinished().map((u) => u.trial),
    [1],
  );
  assert.equal(s.nextIndex(), 2);
  assert.equal(s.best()?.trial, 0);
  assert.equal(s.trials.get(0)?.history.length, 1);
});

test('resume compatibility: budget changes are comparable, space changes are named', () => {
  const a = {
    dataset: { source: 'synthetic' as const },
    architecture: { type: 'sequential' as const, layers: [{ type: 'dense' as const, units: 8 }] },
    search: { budget: { trials: 5 } },
  };
  const b = { ...a, search: { budget: { trials: 50 } } };
  assert.equal(canonical(comparablePart(a as never)), canonical(comparablePart(b as never)));
  const c = { ...a, architecture: { type: 'sequential' as const, layers: [{ type: 'dense' as const, units: 16 }] } };
  assert.deepEqual(diffPaths(comparablePart(a as never), comparablePart(c as never)), ['architecture.layers[0].units: 8 -> 16']);
});

test('a line only for show is written without a flush; the next durable append flushes it with its own', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-journal-'));
  const file = path.join(dir, 'journal.jsonl');
  const j = new Journal(file);
  let flushes = 0;
  // The module object itself (the namespace import is read-only): the journal calls through it.
  const fsModule = module.require('node:fs') as typeof fs;
  const real = fsModule.fdatasyncSync;
  t.mock.method(fsModule, 'fdatasyncSync', (fd: number) => {
    flushes++;
    real(fd);
  });
  j.append(events[0]);
  assert.equal(flushes, 1);
  j.append({ type: 'trial-assigned', time: events[0].time, trial: 0, host: 'h', pid: 7 }, false);
  assert.equal(flushes, 1, 'no flush for a line only for show');
  j.append(events[1]);
  assert.equal(flushes, 2);
  j.close();
  assert.deepEqual(
    readJournal(file).events.map((e) => e.type),
    ['trial-started', 'trial-assigned', 'epoch'],
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
