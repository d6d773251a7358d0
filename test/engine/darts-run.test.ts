// DARTS through the whole engine: the supernet trains in a worker before any trial, its alpha is journaled per
// epoch, the derived architectures are retrained as ordinary trials, and a stopped search resumes its
// supernet from the last epoch's checkpoint instead of starting over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent, SupernetEpoch } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { Orchestrator } from '../../src/engine/orchestrator';
import { hangingWorker, withHang } from '../helpers/hang';

const spec: NasSpec = {
  name: 'tiny darts',
  dataset: { source: 'synthetic', generator: 'shapes', samples: 240, imageSize: 8, classes: 3 },
  architecture: { type: 'cell', nodes: 3, operations: ['none', 'skip', 'conv3x3'], channels: 4, cells: 1, stages: 1 },
  training: { learningRate: 0.01, batchSize: 32, epochs: 1 },
  search: { strategy: 'darts', darts: { epochs: 2, derive: 2, alphaLearningRate: 0.01 }, budget: { trials: 5 }, parallel: 2, seed: 4 },
};

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'darts-run-'));
  const file = path.join(dir, 'tiny.nas.json');
  const text = JSON.stringify(spec, null, 2);
  fs.writeFileSync(file, text);
  return { dir, file, text };
}

const supernetEpochs = (events: RunEvent[]) => events.filter((e): e is SupernetEpoch => e.type === 'supernet-epoch');

test('darts: the supernet trains first, then its derived architectures are retrained as trials', async () => {
  const ws = workspace();
  const events: RunEvent[] = [];
  const outcome = await new Orchestrator({ spec, specText: ws.text, specFile: ws.file, onEvent: (e) => events.push(e) }).run();
  // The run holds the two derived architectures, not budget.trials' 5: the CLI and the panel count progress
  // against this (`trial 1 of 2`), and the run ends by reaching it ('budget'; it said 'exhausted' when the run
  // counted 5 trials and darts ran out of architectures after 2).
  const started = events.find((e) => e.type === 'run-started');
  assert.equal(started?.type === 'run-started' && started.budget.trials, 2);
  assert.equal(outcome.reason, 'budget', 'two derived architectures retrained');
  assert.ok(events.some((e) => e.type === 'log' && e.message === 'darts: the supernet trained 2 epochs; retraining the 2 derived architectures from scratch'));
  const sn = supernetEpochs(events);
  assert.deepEqual(
    sn.map((e) => e.epoch),
    [0, 1],
  );
  assert.deepEqual(
    sn[1].alpha.map((r) => r.label),
    ['edge 0 → 1', 'edge 0 → 2', 'edge 1 → 2'],
  );
  for (const r of sn[1].alpha) assert.ok(Math.abs(r.weights.reduce((a, b) => a + b) - 1) < 1e-5);
  assert.ok(sn[1].metrics.val_accuracy !== undefined && sn[1].metrics.loss > 0);
  // No trial starts before the supernet's last epoch is journaled.
  const firstTrial = events.findIndex((e) => e.type === 'trial-started');
  assert.ok(firstTrial > events.indexOf(sn[1]));
  const st = RunState.from(readJournal(runPaths(outcome.runDir).journal).events);
  assert.equal(st.counts().completed, 2);
  assert.equal(st.supernet.length, 2);
  const [a, b] = [st.trials.get(0)!.config, st.trials.get(1)!.config];
  assert.notDeepEqual(a.params, b.params);
  // The strongest non-none operation per edge (three edges: node 2 keeps both its inputs).
  for (const r of sn[1].alpha) {
    const best = r.ops
      .map((op, k) => ({ op, w: r.weights[k] }))
      .filter((c) => c.op !== 'none')
      .sort((x, y) => y.w - x.w)[0].op;
    assert.equal(a.params[r.name], best, r.name);
  }
  assert.ok(st.best()!.hasWeights, 'a derived trial is kept like any other');
  assert.ok(fs.existsSync(path.join(outcome.runDir, 'supernet', 'checkpoint', 'variables.bin')));
});

test('darts: a stopped search resumes its supernet from the last epoch', async () => {
  const ws = workspace();
  let orch: Orchestrator | undefined;
  const first: RunEvent[] = [];
  orch = new Orchestrator({
    spec,
    specText: ws.text,
    specFile: ws.file,
    parallel: 1,
    // The supernet does not wait between its epochs: on a fast machine epoch 1 could be sent before the stop below
    // kills the worker. This worker freezes once epoch 0 is sent.
    workerEntry: hangingWorker,
    onEvent: (e) => {
      first.push(e);
      if (e.type === 'supernet-epoch') orch!.stop();
    },
  });
  const stopped = await withHang({ NAS_TEST_HANG: 'supernet-epoch', NAS_TEST_HANG_EPOCH: '0' }, () => orch!.run());
  assert.equal(stopped.reason, 'stopped');
  assert.deepEqual(
    supernetEpochs(first).map((e) => e.epoch),
    [0],
  );
  const second: RunEvent[] = [];
  orch = new Orchestrator({ spec, specText: ws.text, specFile: ws.file, parallel: 1, resumeDir: stopped.runDir, onEvent: (e) => second.push(e) });
  const resumed = await orch.run();
  assert.equal(resumed.reason, 'budget');
  assert.deepEqual(
    supernetEpochs(second).map((e) => e.epoch),
    [1],
    'epoch 0 is not trained again',
  );
  const st = RunState.from(readJournal(runPaths(resumed.runDir).journal).events);
  assert.equal(st.counts().completed, 2);
});
