// One real worker process trains 50 trials in a row; after each, its live tensor count is back at the
// baseline it had before the trial (no leak through models, optimizers, weight snapshots or failures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import * as fs from 'node:fs';
import type { FromWorker, TrialResult } from '../../src/shared/protocol';
import type { NasSpec } from '../../src/shared/spec';
import { Rng } from '../../src/core/rng';
import { sampleValue } from '../../src/core/params';
import { resolve } from '../../src/core/space';
import { defaultWorkerEntry, WorkerHandle } from '../../src/engine/pool';

const root = path.join(__dirname, '..', '..');

test('50 trials in one worker: tensors back at baseline after each, failures included', async () => {
  const spec = jsonc.parse(fs.readFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), 'utf8')) as NasSpec;
  const cell = {
    type: 'cell',
    nodes: 3,
    operations: ['none', 'skip', 'conv1x1', 'avgPool3x3'],
    channels: 2,
    cells: 1,
    stages: 2,
  } as unknown as NasSpec['architecture'];
  const rng = new Rng(9);
  const results: TrialResult['params'][] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  let onResult: (r: TrialResult['params']) => void = () => {};
  const w = new WorkerHandle(
    0,
    defaultWorkerEntry(),
    (h, m: FromWorker) => {
      if (m.method === 'ready') ready();
      if (m.method === 'init-failed') assert.fail(m.params.error);
      if (m.method === 'epoch')
        h.send({ method: 'decision', params: { trial: m.params.trial, epoch: m.params.epoch, decision: m.params.trial % 7 === 3 ? 'prune' : 'continue' } });
      if (m.method === 'result') onResult(m.params);
    },
    () => {},
  );
  try {
    w.send({ method: 'init', params: { dataset: spec.dataset, task: spec.task, baseDir: root, seed: 1, backend: 'cpu' } });
    await isReady;
    for (let i = 0; i < 50; i++) {
      const s = i % 5 === 4 ? { ...spec, architecture: cell } : spec;
      const config = resolve(s, (p) => sampleValue(p.domain, rng));
      // Every tenth trial diverges on purpose: a failure must clean up as well as a success.
      if (i % 10 === 9) config.training = { ...config.training, learningRate: 1e30, optimizer: 'sgd' };
      const done = new Promise<TrialResult['params']>((r) => (onResult = r));
      w.send({ method: 'train', params: { trial: i, config, seed: i, objective: { metric: 'val_accuracy', direction: 'maximize' }, wantWeights: true } });
      results.push(await done);
    }
  } finally {
    w.kill();
  }
  const baseline = results[0].baselineTensors;
  for (const r of results) {
    assert.equal(r.numTensors, r.baselineTensors, `trial ${r.trial} (${r.status}) left ${r.numTensors - r.baselineTensors} tensors`);
    assert.equal(r.baselineTensors, baseline, `trial ${r.trial} started from ${r.baselineTensors} tensors instead of ${baseline}`);
  }
  const statuses = new Set(results.map((r) => r.status));
  assert.ok(statuses.has('completed') && statuses.has('pruned') && statuses.has('failed'), [...statuses].join(','));
  assert.ok(results.filter((r) => r.status === 'completed').every((r) => r.weights && r.weights.weightData.byteLength > 0));
});
