// bench/darts.ts (`npm run bench:darts`): its options, the spec pairs it runs and the phases it reads from a
// darts journal. The benchmark itself is too slow for the test suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { checkText } from '../../src/core/check';
import { parse } from '../../src/core/json';
import { cellSpecs, dartsPhases, fashionSpecs, parseArgs, supernetFlops, trialFlops } from '../../bench/darts';
import { cellCost } from '../../src/core/shapes';

const example = parse(fs.readFileSync(path.join(__dirname, '../../examples/cells.nas.json'), 'utf8')).value as NasSpec;

test('bench:darts options: defaults, lists, and a usage error for anything else', () => {
  const o = parseArgs([]);
  assert.deepEqual(o.suites, ['cells', 'fashion']);
  assert.deepEqual(o.seeds, [3, 1, 2]);
  assert.deepEqual(o.fashionSeeds, [1, 2]);
  assert.deepEqual(o.derive, [2, 4]);
  assert.equal(o.repeat, 1);
  assert.equal(o.supernetEpochs, 4);
  const p = parseArgs(['--suites', 'cells', '--seeds', '5', '--repeat', '3', '--out', 'x']);
  assert.deepEqual([p.suites, p.seeds, p.repeat, p.out], [['cells'], [5], 3, path.resolve('x')]);
  assert.throws(() => parseArgs(['--suite', 'cells']), /unknown option --suite/);
  assert.throws(() => parseArgs(['--suites', 'mnist']), /not one of cells, fashion/);
  assert.throws(() => parseArgs(['--seeds', '1,x']), /"x" is not an integer/);
  assert.throws(() => parseArgs(['--derive', '0']), /integer >= 1/);
  assert.throws(() => parseArgs(['--repeat']), /--repeat needs a value/);
  assert.throws(() => parseArgs(['--repeat', '--seeds', '1']), /--repeat needs a value/);
  assert.throws(() => parseArgs(['--repeat', '2,3']), /one number/);
  assert.equal(parseArgs(['--supernet-epochs', '2']).supernetEpochs, 2);
});

test('bench:darts runs the example as shipped against darts on the same space, and every spec it writes checks clean', () => {
  const { evolution, darts } = cellSpecs(example, 2);
  assert.deepEqual(evolution.search, { ...example.search, seed: 2 });
  const { $schema: _schema, search: _search, ...shipped } = example as NasSpec & { $schema?: string };
  const { search: _evolutionSearch, ...rest } = evolution;
  assert.deepEqual(rest, shipped);
  assert.deepEqual(darts.search, { strategy: 'darts', seed: 2, darts: { epochs: 1 } });
  assert.deepEqual(darts.architecture, example.architecture);
  const fashion = fashionSpecs('/data', 1, [2, 4]);
  assert.equal(fashionSpecs('/data', 1, [2], 2)['darts-derive2'].search?.darts?.epochs, 2);
  assert.deepEqual(Object.keys(fashion), ['evolution', 'darts-derive2', 'darts-derive4']);
  assert.deepEqual(fashion['darts-derive4'].search, { strategy: 'darts', budget: { trials: 4 }, seed: 1, darts: { epochs: 4, derive: 4 } });
  for (const spec of [evolution, darts, ...Object.values(fashion)]) {
    const errors = checkText(JSON.stringify(spec)).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.map((d) => d.message),
      [],
    );
  }
});

test("bench:darts splits a darts run's wall time into start-up, supernet, retrain and tail", () => {
  const at = (s: number) => new Date(Date.parse('2026-12-03T07:00:00Z') + s * 1000).toISOString();
  const metrics = { loss: 1, val_accuracy: 0.5 };
  const events = [
    { type: 'run-started', time: at(0.4), launched: at(0) },
    { type: 'supernet-epoch', time: at(2), epoch: 0, epochs: 2, metrics, alpha: [], durationMs: 1000 },
    { type: 'supernet-epoch', time: at(3), epoch: 1, epochs: 2, metrics, alpha: [], durationMs: 1000 },
    { type: 'trial-started', time: at(3.1), trial: 0 },
    { type: 'epoch', time: at(4.1), trial: 0, epoch: 0, metrics },
    { type: 'epoch', time: at(4.6), trial: 0, epoch: 1, metrics },
    { type: 'epoch', time: at(5.2), trial: 0, epoch: 2, metrics },
    { type: 'trial-completed', time: at(5.3), trial: 0 },
    { type: 'run-finished', time: at(5.5), reason: 'budget' },
  ] as unknown as RunEvent[];
  const p = dartsPhases(events)!;
  const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  near(p.startupS, 1);
  near(p.supernetS, 2);
  near(p.retrainS, 2.2);
  near(p.firstEpochS, 1);
  near(p.laterEpochS, 0.6);
  near(p.tailS, 0.2);
  assert.equal(dartsPhases(events.filter((e) => e.type !== 'supernet-epoch')), undefined);
});

test("bench:darts counts a phase's nominal FLOPs from the journal: 3 forward passes a trained sample, 2 an alpha step's, 1 a scored one", () => {
  const edges = (op: string) => ['0-1', '0-2', '1-2', '0-3', '1-3', '2-3'].map((k) => ({ from: Number(k[0]), to: Number(k[2]), op }));
  const derived = { kind: 'cell', nodes: 4, edges: [...edges('conv3x3').slice(0, 3), ...edges('skip').slice(3)], channels: 16, cells: 1, stages: 3 };
  const at = (s: number) => new Date(Date.parse('2026-12-03T07:00:00Z') + s * 1000).toISOString();
  const metrics = { loss: 1, val_accuracy: 0.5 };
  const row = (i: number) => ({ name: `e${i}`, label: `e${i}`, ops: ['none', 'skip', 'conv1x1'], weights: [0.2, 0.3, 0.5] });
  const events = [
    { type: 'run-started', time: at(0.4), launched: at(0), inputShape: [16, 16, 1], outputs: 4, samples: { train: 1200, val: 300 } },
    { type: 'supernet-epoch', time: at(2), epoch: 0, epochs: 1, metrics, alpha: [0, 1, 2, 3, 4, 5].map(row), durationMs: 1500 },
    { type: 'trial-started', time: at(2.1), trial: 0, config: { arch: derived } },
    { type: 'epoch', time: at(3.1), trial: 0, epoch: 0, metrics },
    { type: 'epoch', time: at(4.1), trial: 0, epoch: 1, metrics },
    { type: 'trial-completed', time: at(4.1), trial: 0 },
    { type: 'run-finished', time: at(4.2), reason: 'budget' },
  ] as unknown as RunEvent[];
  const fwd = cellCost(derived as never, [16, 16, 1], 4).flops;
  assert.equal(trialFlops(events, 0), fwd * (3 * 1200 + 300) * 2);
  assert.equal(trialFlops(events, 1), undefined);
  const dead = { ...derived, edges: edges('none') };
  const failed = [events[0], { type: 'trial-started', trial: 1, config: { arch: dead } }, { type: 'trial-failed', trial: 1 }] as unknown as RunEvent[];
  assert.equal(trialFlops(failed, 1), 0, 'a trial that failed before its first epoch did no work (and its cell has no cost)');
  // The supernet at the narrowest channels: skip costs nothing, so it is a cell with conv1x1 on every edge.
  const spec = { ...example, search: { strategy: 'darts' } } as NasSpec;
  const supernetFwd = cellCost({ ...derived, edges: edges('conv1x1'), channels: 8 } as never, [16, 16, 1], 4).flops;
  assert.equal(supernetFlops(events, spec), supernetFwd * (5 * 1200 + 300));
  const p = dartsPhases(events, spec)!;
  assert.ok(Math.abs(p.retrainGflops! - (fwd * 7800) / 2e9) < 1e-9);
  assert.ok(Math.abs(p.supernetGflops! - (supernetFwd * 6300) / 1.5e9) < 1e-9);
  assert.equal(dartsPhases(events)!.supernetGflops, undefined);
});
