// A seeded search replays: run twice from the same spec (fresh worker processes each time), every trial trains
// the same network to the same losses, dropout included. Before the dropout kernel was reseeded per trial
// (seededRandom.ts), each worker drew its masks from a generator seeded at start-up, so the runs differed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/shared/cli';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { cli } from '../helpers/cli';
import { tinyWorkspace } from '../helpers/workspace';

test('two runs of a seeded search with dropout train the same trials to the same losses, epoch by epoch', async () => {
  const ws = tinyWorkspace('nas-replay-', (spec) => {
    spec.architecture = {
      type: 'sequential',
      layers: [{ type: 'flatten' }, { type: 'dense', units: { choice: [8, 16] } }, { type: 'dropout', rate: 0.5 }],
    } as typeof spec.architecture;
    spec.training = { ...spec.training, epochs: 3 };
    spec.search = { ...spec.search, budget: { trials: 3 }, parallel: 1 };
  });
  /** [trial, epoch, loss, val_loss] of every epoch the run journaled. */
  const run = async (name: string) => {
    const runDir = path.join(ws.dir, name);
    // wasm: the backend whose dropout runs the project's own mask kernel
    const r = await cli('run', ws.file, '--json', '--run-dir', runDir, '--backend', 'wasm');
    assert.equal(r.code, EXIT.ok, r.err);
    const events = readJournal(runPaths(runDir).journal).events;
    assert.ok(
      events.some((e) => e.type === 'run-started' && e.backend === 'wasm'),
      'trained on wasm',
    );
    assert.ok(
      events.every((e) => e.type !== 'trial-started' || e.config.arch.kind !== 'sequential' || e.config.arch.layers.some((l) => l.type === 'dropout')),
      'every trial has its dropout layer',
    );
    return events.flatMap((e) => (e.type === 'epoch' ? [[e.trial, e.epoch, e.metrics.loss, e.metrics.val_loss]] : []));
  };
  const first = await run('a');
  assert.equal(first.length, 9, 'three trials of three epochs');
  assert.deepEqual(await run('b'), first);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});
