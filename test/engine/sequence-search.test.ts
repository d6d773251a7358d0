// Acceptance: on the synthetic pattern task, a real (small, seeded) search finds a recurrent architecture that
// beats every dense-only one by a clear margin. Workers train on wasm, as in a user's search.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NasSpec } from '../../src/shared/spec';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { Orchestrator } from '../../src/engine/orchestrator';

const spec: NasSpec = {
  name: 'pattern-acceptance',
  dataset: { source: 'synthetic', generator: 'pattern', samples: 800, steps: 24, features: 6, seed: 2 },
  architecture: {
    type: 'sequential',
    layers: [
      {
        type: 'choice',
        options: [
          { type: 'lstm', units: { choice: [12, 24] } },
          { type: 'gru', units: 16, bidirectional: true },
          {
            type: 'block',
            layers: [{ type: 'flatten' }, { type: 'dense', units: { choice: [64, 256] } }, { type: 'dense', units: 64, optional: true }],
          },
        ],
      },
    ],
  },
  training: { learningRate: 0.01, batchSize: 32, epochs: 8 },
  search: { strategy: 'grid', parallel: 2, seed: 4 },
};

let dir: string;
before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-seq-search-'))));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('pattern task: the best recurrent architecture beats the best dense-only one by a clear margin', async () => {
  const file = path.join(dir, 'pattern.nas.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const outcome = await new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: file, parallel: 2, backend: 'wasm', onEvent: () => {} }).run();
  assert.equal(outcome.reason, 'exhausted');
  const trials = [...RunState.from(readJournal(runPaths(outcome.runDir).journal).events).trials.values()];
  assert.equal(trials.filter((t) => t.status === 'completed').length, 7, trials.map((t) => `${t.trial}: ${t.status} ${t.error ?? ''}`).join('\n'));
  const recurrent = (t: (typeof trials)[number]) =>
    t.config.arch.kind === 'sequential' && t.config.arch.layers.some((l) => l.type === 'lstm' || l.type === 'gru');
  const best = (ts: typeof trials) => Math.max(...ts.map((t) => t.value ?? 0));
  const [r, d] = [best(trials.filter(recurrent)), best(trials.filter((t) => !recurrent(t)))];
  const table = trials.map((t) => `trial ${t.trial} ${recurrent(t) ? 'recurrent' : 'dense'}: ${t.value}`).join('\n');
  assert.ok(r >= 0.9, `the best recurrent model reaches only ${r}\n${table}`);
  assert.ok(r - d >= 0.25, `recurrent ${r} vs dense ${d}: no clear margin\n${table}`);
});
