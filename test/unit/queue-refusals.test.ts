// A search that queue workers cannot run (a pretrained backbone: a model file they never receive) is refused
// before anything starts, naming the spec's file and line, not after every trial failed on a worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedByQueue } from '../../src/cli/queue';
import type { NasSpec } from '../../src/shared/spec';

const text = `{
  "name": "head over a backbone",
  "dataset": { "source": "synthetic", "generator": "shapes" },
  "architecture": { "type": "sequential", "layers": [{ "type": "dense", "units": 8 }] },
  "training": {
    "epochs": 2,
    "backbone": { "path": "pretrained/model.json" }
  }
}
`;

test('a backbone is refused with the file, line and column of training.backbone', () => {
  const spec = JSON.parse(text) as NasSpec;
  assert.deepEqual(refusedByQueue(spec, text, '/w/head.nas.json'), [
    '/w/head.nas.json:7:5: error: training.backbone (a pretrained model file) cannot reach queue workers yet: ' +
      'they read only dataset files sent through the queue; run this search without a queue',
  ]);
});

test('a search without a backbone is not refused', () => {
  const spec = JSON.parse(text) as NasSpec;
  delete spec.training!.backbone;
  assert.deepEqual(refusedByQueue(spec, JSON.stringify(spec), 'x.nas.json'), []);
});
