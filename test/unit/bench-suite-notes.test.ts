// The suite's "not learning" note: a finding when our loss stays at chance while PyTorch's twin learns (or there
// is no twin), none when both are still at chance (a network that learns slowly, not a broken kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarise } from '../../bench/suiteRun';
import type { ThroughputResult } from '../../bench/throughput';

const rounds = (loss: number) => Array.from({ length: 4 }, () => ({ ms: 100, cpuMs: 100, loss }));
function result(ours: number, peer?: number): ThroughputResult {
  return {
    net: 'n',
    backend: 'wasm',
    params: 10,
    peerParams: peer === undefined ? undefined : 10,
    batch: 8,
    steps: 10,
    rounds: rounds(ours),
    peerRounds: peer === undefined ? [] : rounds(peer),
    flopsPerSample: 1000,
  };
}
const notesOf = (r: ThroughputResult) => {
  const notes: string[] = [];
  summarise(r, notes);
  return notes;
};

test('our loss at chance while the twin learns: one note naming the network', () => {
  const notes = notesOf(result(2.3, 1.2));
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^n: the loss stayed at 2\.3 .*not learning/);
});

test('no twin and our loss at chance: the note still comes', () => {
  assert.equal(notesOf(result(2.3)).length, 1);
});

test('both at chance, or ours learning: no note', () => {
  assert.deepEqual(notesOf(result(2.25, 2.3)), []);
  assert.deepEqual(notesOf(result(1.1, 1.2)), []);
});
