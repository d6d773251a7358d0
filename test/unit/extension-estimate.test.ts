// The duration estimate shown in the CodeLens and the throughput it learns from finished runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import type { TrialConfig } from '../../src/shared/arch';
import type { NasSpec } from '../../src/shared/spec';
import { checkText } from '../../src/core/check';
import { archCost } from '../../src/core/shapes';
import { formatApprox } from '../../src/shared/format';
import { started } from '../helpers/events';
import {
  blend,
  DEFAULT_RATE,
  estimate,
  formatEstimate,
  measureRun,
  resolveParallel,
  splitSamples,
  trainingFlops,
  workloadOf,
} from '../../src/extension/estimate';

const examples = path.join(__dirname, '..', '..', 'examples');

function load(name: string) {
  const file = path.join(examples, name);
  const r = checkText(fs.readFileSync(file, 'utf8'), { file });
  assert.ok(r.spec && r.summary);
  return { spec: r.spec, summary: r.summary };
}

test('samples are split as the engine splits them', () => {
  const spec = { dataset: { source: 'synthetic', validationSplit: 0.25, subset: 100 } } as unknown as NasSpec;
  assert.deepEqual(splitSamples(spec, 1000), { train: 75, val: 25 });
  assert.deepEqual(splitSamples({ dataset: { source: 'synthetic' } } as NasSpec, 2000), { train: 1600, val: 400 });
});

test('training FLOPs: three forward passes per training sample, one per validation sample', () => {
  assert.equal(trainingFlops(10, { train: 100, val: 20 }, 2), 2 * 10 * (300 + 20));
});

test('parallel: the setting wins over the spec, auto means one per core', () => {
  const spec = { search: { parallel: 3 } } as unknown as NasSpec;
  assert.equal(resolveParallel(null, spec, 8), 3);
  assert.equal(resolveParallel(2, spec, 8), 2);
  assert.equal(resolveParallel(null, {} as NasSpec, 8), 8);
});

test('the estimate scales with the work and the workers, and the time budget caps it', () => {
  const { spec, summary } = load('synthetic-shapes.nas.json');
  const w = workloadOf(spec, summary, 2)!;
  assert.equal(w.trials, 12);
  assert.deepEqual(w.epochs, [4, 4]);
  assert.deepEqual(w.samples, { train: 1600, val: 400 });
  const one = estimate({ ...w, minutes: undefined }, DEFAULT_RATE, 1);
  const two = estimate({ ...w, minutes: undefined }, DEFAULT_RATE, 2);
  const expectHigh = (12 * trainingFlops(summary.maxFlops!, w.samples, 4)) / DEFAULT_RATE;
  assert.ok(Math.abs(one.highSeconds - expectHigh) < 1e-6);
  assert.ok(Math.abs(two.highSeconds - expectHigh / 2) < 1e-6);
  assert.ok(one.lowSeconds < one.highSeconds);
  const capped = estimate({ ...w, minutes: 0.5 }, DEFAULT_RATE / 1000, 1);
  assert.equal(capped.highSeconds, 30);
  assert.ok(capped.cappedByBudget);
});

test('grid search is bounded by the size of a finite space', () => {
  const { spec, summary } = load('fashion-mnist.nas.json');
  const grid = { ...spec, search: { ...spec.search, strategy: 'grid', budget: { trials: 10_000 } } } as NasSpec;
  assert.equal(workloadOf(grid, summary, 1)!.trials, 256);
  assert.equal(workloadOf(spec, summary, 1)!.trials, 20);
});

test('no estimate without the data size', () => {
  const { spec, summary } = load('synthetic-shapes.nas.json');
  assert.equal(workloadOf(spec, { ...summary, samples: undefined }, 1), undefined);
});

test('durations read naturally', () => {
  assert.equal(formatApprox(42), '42 s');
  assert.equal(formatApprox(600), '10 min');
  assert.equal(formatApprox(3 * 3600), '3.0 h');
  assert.equal(formatEstimate({ lowSeconds: 120, highSeconds: 420, cappedByBudget: false }), '~2-7 min');
  assert.equal(formatEstimate({ lowSeconds: 300, highSeconds: 310, cappedByBudget: false }), '~5 min');
  assert.equal(formatEstimate({ lowSeconds: 30, highSeconds: 7200, cappedByBudget: false }), '~30 s - 2.0 h');
  // A tiny network's estimate starts below a second: no "~<1-33 s".
  assert.equal(formatEstimate({ lowSeconds: 0.4, highSeconds: 33, cappedByBudget: false }), 'up to 33 s');
  assert.equal(formatEstimate({ lowSeconds: 0.1, highSeconds: 0.6, cappedByBudget: false }), 'under 1 s');
});

function ev<T extends RunEvent['type']>(type: T, extra: Omit<Extract<RunEvent, { type: T }>, 'type' | 'time'>): RunEvent {
  return { type, time: '2026-01-01T00:00:00.000Z', ...extra } as unknown as RunEvent;
}

test('a run measures FLOP/s per worker from its finished trials, corrected for shared cores', () => {
  const config: TrialConfig = {
    arch: {
      kind: 'sequential',
      layers: [
        { type: 'flatten', source: 'x' },
        { type: 'dense', units: 8, activation: 'relu', source: 'y' },
      ],
    },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 2 },
    params: {},
  };
  const forward = archCost(config.arch, [4, 4, 1], 3).flops;
  const samples = { train: 80, val: 20 };
  const events: RunEvent[] = [
    // What the measurement reads of it: backend, parallel, input shape and outputs.
    started(0, { backend: 'wasm', budget: { trials: 3 }, parallel: 4, inputShape: [4, 4, 1], outputs: 3 }),
    ev('trial-started', { trial: 0, attempt: 1, worker: 0, config }),
    ev('trial-completed', {
      trial: 0,
      value: 0.5,
      bestEpoch: 1,
      metrics: { loss: 1, val_loss: 1 },
      epochs: 2,
      params: 10,
      durationMs: 1000,
      stopReason: 'epochs',
    }),
    ev('trial-started', { trial: 1, attempt: 1, worker: 1, config }),
    ev('trial-failed', { trial: 1, error: 'x', durationMs: 5, retry: false }),
  ];
  const m = measureRun(events, samples, 2)!;
  assert.equal(m.backend, 'wasm');
  assert.equal(m.trials, 1);
  // 4 workers on 2 cores ran at half speed each.
  assert.ok(Math.abs(m.flopsPerSecond - trainingFlops(forward, samples, 2) * 2) < 1e-6);
  assert.equal(measureRun(events, samples, 2, 3), undefined, 'trials before `from` are not counted again');
});

test('blending weights old evidence by trials, capped', () => {
  assert.deepEqual(blend(undefined, { backend: 'wasm', flopsPerSecond: 5, trials: 2 }), { flopsPerSecond: 5, trials: 2 });
  const b = blend({ flopsPerSecond: 1, trials: 1000 }, { backend: 'wasm', flopsPerSecond: 11, trials: 50 });
  assert.equal(b.flopsPerSecond, 6);
  assert.equal(b.trials, 100);
});

test('darts: the supernet on one worker first, then the derived trials, not the trial budget', () => {
  const file = path.join(examples, 'cells.nas.json');
  const text = fs
    .readFileSync(file, 'utf8')
    .replace('{ "choice": [8, 16] }', '16')
    .replace('"strategy": "evolution"', '"strategy": "darts", "darts": { "epochs": 2, "derive": 3 }');
  const r = checkText(text, { file });
  assert.ok(r.spec && r.summary?.supernet, JSON.stringify(r.diagnostics));
  const w = workloadOf(r.spec, r.summary, 4)!;
  assert.equal(w.trials, 3);
  assert.equal(w.parallel, 3);
  assert.deepEqual(w.epochs, [3, 3]);
  // two training passes (alpha, then weights) per training sample and a validation pass, for 2 epochs
  assert.equal(w.supernetFlops, 2 * r.summary.supernet.flops * (2 * 3 * w.samples.train + w.samples.val));
  const e = estimate(w, DEFAULT_RATE, 4);
  const trials = (3 * trainingFlops(r.summary.maxFlops!, w.samples, 3)) / (3 * DEFAULT_RATE);
  assert.ok(Math.abs(e.highSeconds - (w.supernetFlops! / DEFAULT_RATE + trials)) < 1e-6);
  // an epoch of the supernet (every candidate, two passes) costs more than two of the dearest network's
  assert.ok(w.supernetFlops! > 2 * trainingFlops(r.summary.maxFlops!, w.samples, 2));
  // budget.trials still caps the derived trials, as the run does
  const capped = { ...r.spec, search: { ...r.spec.search, budget: { trials: 2 } } };
  assert.equal(workloadOf(capped, r.summary, 4)!.trials, 2);
});
