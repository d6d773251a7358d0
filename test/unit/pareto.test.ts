// Multi-objective ranking on known point sets (dominance, fronts, crowding distance), parameter importance on
// functions whose answer is known, and the run analysis built from a journal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialConfig } from '../../src/shared/arch';
import type { Objective, RunEvent } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { crowdedCompare, crowdingDistance, dominates, nonDominatedSort, nsgaOrder, nsgaRank, paretoFront, toMaximize } from '../../src/core/pareto';
import { encode, parameterImportance, treeMainEffects } from '../../src/core/importance';
import { Rng } from '../../src/core/rng';
import { RunState } from '../../src/core/runstate';
import { analyzeRun } from '../../src/core/runanalysis';
import { listParams } from '../../src/core/space';
import { objectiveValues, objectivesOf, primaryObjective } from '../../src/core/objectives';
import { sampleConfig } from '../../src/core/strategies/random';

describe('pareto', () => {
  it('dominance: no worse everywhere and better somewhere', () => {
    assert.equal(dominates([2, 2], [1, 1]), true);
    assert.equal(dominates([2, 1], [1, 1]), true);
    assert.equal(dominates([1, 1], [1, 1]), false);
    assert.equal(dominates([2, 0], [1, 1]), false);
    assert.equal(dominates([1, 1], [NaN, 1]), true, 'NaN is the worst value');
    assert.equal(dominates([NaN, 1], [1, 1]), false);
  });

  // Maximise both:      front 0 = a staircase, 1 = one point under it, 2 = one under that, 3 = the duplicate.
  const POINTS = [
    [1, 5], // 0 front 0
    [2, 4], // 1 front 0
    [3, 3], // 2 front 0
    [4, 1], // 3 front 0
    [2, 2], // 4 front 1 (dominated by 1 and 2)
    [1, 1], // 5 front 2 (dominated by 4)
    [3, 3], // 6 front 0 (equal to 2: neither dominates)
    [0, 0], // 7 front 3
  ];

  it('sorts points into non-dominated fronts', () => {
    assert.deepEqual(nonDominatedSort(POINTS), [[0, 1, 2, 3, 6], [4], [5], [7]]);
    assert.deepEqual(paretoFront(POINTS), [0, 1, 2, 3, 6]);
    assert.deepEqual(nonDominatedSort([]), []);
    assert.deepEqual(paretoFront([[1]]), [0]);
    // One objective: the fronts are the levels of the values.
    assert.deepEqual(nonDominatedSort([[3], [1], [3], [2]]), [[0, 2], [3], [1]]);
    // Three objectives.
    assert.deepEqual(
      nonDominatedSort([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
        [1, 1, 1],
      ]),
      [[4], [0, 1, 2], [3]],
    );
  });

  it('computes the crowding distance of a front', () => {
    // Front [1,5] [2,4] [3,3] [4,1]: ranges 3 and 4; inner points sum their neighbours' gaps over the ranges.
    const front = [0, 1, 2, 3];
    const d = crowdingDistance(POINTS, front);
    assert.equal(d[0], Infinity);
    assert.equal(d[3], Infinity);
    assert.ok(Math.abs(d[1] - (2 / 3 + 2 / 4)) < 1e-12, `${d[1]}`);
    assert.ok(Math.abs(d[2] - (2 / 3 + 3 / 4)) < 1e-12, `${d[2]}`);
    // Evenly spaced points on a line: all inner points equally crowded.
    const line = [
      [0, 4],
      [1, 3],
      [2, 2],
      [3, 1],
      [4, 0],
    ];
    assert.deepEqual(crowdingDistance(line, [0, 1, 2, 3, 4]), [Infinity, 1, 1, 1, Infinity]);
    // Tiny fronts are all boundary; a flat objective adds nothing.
    assert.deepEqual(crowdingDistance(line, [1, 3]), [Infinity, Infinity]);
    assert.deepEqual(
      crowdingDistance(
        [
          [0, 5],
          [1, 5],
          [2, 5],
          [4, 5],
        ],
        [0, 1, 2, 3],
      ),
      [Infinity, 2 / 4, 3 / 4, Infinity],
    );
  });

  it('orders by front, then by crowding (NSGA-II crowded comparison)', () => {
    const r = nsgaRank(POINTS);
    assert.deepEqual(r.rank, [0, 0, 0, 0, 1, 2, 0, 3]);
    assert.ok(crowdedCompare(r, 3, 4) < 0, 'a first-front point beats a second-front one');
    assert.ok(crowdedCompare(r, 0, 1) < 0, 'an extreme beats an inner point of the same front');
    // Within front 0: extremes first (0, 3), then the less crowded of the inner points.
    const order = nsgaOrder(POINTS);
    assert.deepEqual(order.slice(0, 2), [0, 3]);
    assert.deepEqual(order.slice(5), [4, 5, 7]);
    assert.deepEqual(toMaximize([0.9, 1200, 3.5], ['maximize', 'minimize', 'minimize']), [0.9, -1200, -3.5]);
  });
});

const SPEC: NasSpec = {
  dataset: { source: 'synthetic' },
  architecture: {
    type: 'sequential',
    layers: [
      { type: 'dense', units: { int: [8, 128] }, activation: { choice: ['relu', 'tanh', 'elu'] } },
      { type: 'dropout', rate: { float: [0, 0.5] }, optional: true },
    ],
  },
  training: { learningRate: { float: [1e-4, 1e-1], log: true } },
};

describe('parameter importance (fANOVA on a random forest)', () => {
  const params = listParams(SPEC);
  const name = (suffix: string) => params.find((p) => p.name.endsWith(suffix))!.name;
  const sample = (n: number, seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => sampleConfig(SPEC, rng));
  };

  it('finds the one parameter that matters', () => {
    const configs = sample(80, 1);
    const lr = name('learningRate');
    const y = configs.map((c) => -Math.abs(Math.log10(c.params[lr] as number) + 2.5));
    const imp = parameterImportance(params, configs, y, { seed: 3 })!;
    assert.equal(imp[0].param, lr);
    assert.ok(imp[0].importance > 0.8, JSON.stringify(imp));
    assert.ok(Math.abs(imp.reduce((a, b) => a + b.importance, 0) - 1) < 1e-9);
  });

  it('ranks a categorical effect above a weak numeric one, and is deterministic', () => {
    const configs = sample(100, 2);
    const act = name('activation');
    const units = name('units');
    const y = configs.map((c) => (c.params[act] === 'tanh' ? 1 : 0) + 0.3 * ((c.params[units] as number) / 128));
    const a = parameterImportance(params, configs, y, { seed: 1 })!;
    const b = parameterImportance(params, configs, y, { seed: 1 })!;
    assert.deepEqual(a, b);
    assert.equal(a[0].param, act);
    assert.equal(a[1].param, units);
    assert.ok(a[0].importance > 5 * a[1].importance, JSON.stringify(a));
  });

  it('handles conditional parameters and degenerate inputs', () => {
    const configs = sample(60, 3);
    const rate = name('rate');
    assert.ok(
      configs.some((c) => c.params[rate] === undefined),
      'dropout is sometimes absent',
    );
    // The objective depends only on whether dropout is present: its `optional` switch carries the effect.
    const y = configs.map((c) => (c.params[name('optional')] ? 1 : 0));
    const imp = parameterImportance(params, configs, y)!;
    assert.ok([name('optional'), rate].includes(imp[0].param), JSON.stringify(imp));
    assert.equal(parameterImportance(params, configs.slice(0, 3), y.slice(0, 3)), undefined);
    const flat = parameterImportance(
      params,
      configs,
      configs.map(() => 1),
    )!;
    assert.ok(flat.every((i) => i.importance === 0));
    for (const c of configs) for (const v of encode(params, c)) assert.ok(v >= 0 && v <= 1);
  });

  it('decomposes one tree exactly', () => {
    // f(x0, x1) = 1 on x0 > 0.5, else 0, whatever x1: all variance is x0's main effect.
    const leaves = [
      { lo: [0, 0], hi: [0.5, 1], value: 0 },
      { lo: [0.5, 0], hi: [1, 0.3], value: 1 },
      { lo: [0.5, 0.3], hi: [1, 1], value: 1 },
    ];
    const { total, effects } = treeMainEffects(leaves, 2);
    assert.ok(Math.abs(total - 0.25) < 1e-12);
    assert.ok(Math.abs(effects[0] - 1) < 1e-12 && Math.abs(effects[1]) < 1e-12);
    // f = x0 xor x1 (as halves): pure interaction, no main effects.
    const xor = [
      { lo: [0, 0], hi: [0.5, 0.5], value: 0 },
      { lo: [0.5, 0], hi: [1, 0.5], value: 1 },
      { lo: [0, 0.5], hi: [0.5, 1], value: 1 },
      { lo: [0.5, 0.5], hi: [1, 1], value: 0 },
    ];
    const x = treeMainEffects(xor, 2);
    assert.ok(Math.abs(x.effects[0]) < 1e-12 && Math.abs(x.effects[1]) < 1e-12);
  });
});

describe('objectives and the run analysis', () => {
  const objectives: Objective[] = [
    { metric: 'val_accuracy', direction: 'maximize' },
    { metric: 'params', direction: 'minimize' },
    { metric: 'latency', direction: 'minimize' },
  ];

  it('reads objectives from the spec, with the first training metric as the primary', () => {
    assert.deepEqual(objectivesOf(SPEC), [{ metric: 'val_accuracy', direction: 'maximize' }]);
    const multi: NasSpec = { ...SPEC, search: { objectives: [{ metric: 'params' }, { metric: 'val_loss' }, { metric: 'latency', direction: 'minimize' }] } };
    assert.deepEqual(
      objectivesOf(multi).map((o) => o.direction),
      ['minimize', 'minimize', 'minimize'],
    );
    assert.deepEqual(primaryObjective(multi), { metric: 'val_loss', direction: 'minimize' });
    assert.deepEqual(primaryObjective({ ...SPEC, search: { objectives: [{ metric: 'params' }] } }), { metric: 'val_accuracy', direction: 'maximize' });
    assert.deepEqual(objectiveValues(objectives, { metrics: { loss: 1, val_loss: 1, val_accuracy: 0.8 }, params: 1000 }), [0.8, 1000, NaN]);
  });

  it('puts the Pareto front with crowding distances, importance and epochs into the analysis', () => {
    const rng = new Rng(5);
    const events: RunEvent[] = [
      {
        type: 'run-started',
        time: 't',
        runId: 'r',
        name: 'n',
        specHash: 'h',
        specFile: 'f',
        backend: 'cpu',
        strategy: 'random',
        objective: { metric: 'val_accuracy', direction: 'maximize' },
        objectives,
        budget: { trials: 12 },
        parallel: 1,
        resumed: false,
        inputShape: [4],
        outputs: 2,
      },
    ];
    // acc, params, latency per trial: 0, 1, 2 and 3 are non-dominated; 4 is dominated by 1; 5 failed.
    const rows: [number, number, number][] = [
      [0.9, 5000, 3],
      [0.8, 1000, 2],
      [0.7, 900, 2.5],
      [0.6, 100, 1],
      [0.75, 2000, 2.1],
      [0, 0, 0],
      [0.5, 3000, 3],
      [0.55, 800, 2.6],
      [0.4, 4000, 4],
      [0.3, 6000, 5],
    ];
    const configs: TrialConfig[] = rows.map(() => sampleConfig(SPEC, rng));
    rows.forEach(([acc, params, latency], trial) => {
      events.push({ type: 'trial-started', time: 't', trial, attempt: 1, worker: 0, config: configs[trial] });
      if (trial === 5) {
        events.push({ type: 'trial-failed', time: 't', trial, error: 'x', durationMs: 1, retry: false });
        return;
      }
      const metrics = { loss: 1 - acc, val_loss: 1 - acc, val_accuracy: acc };
      events.push({ type: 'epoch', time: 't', trial, epoch: 0, metrics });
      events.push({
        type: 'trial-completed',
        time: 't',
        trial,
        value: acc,
        bestEpoch: 0,
        metrics,
        epochs: 1,
        params,
        durationMs: 1,
        stopReason: 'epochs',
        latencyMs: latency,
      });
    });
    const state = RunState.from(events);
    assert.deepEqual(state.trials.get(1)!.values, [0.8, 1000, 2]);
    assert.deepEqual(state.order[1].values, [0.8, 1000, 2]);
    const a = analyzeRun(state, SPEC, objectives, 'now');
    assert.deepEqual(
      a.front!.map((p) => p.trial),
      [0, 1, 2, 3],
    );
    assert.deepEqual(a.front![0].values, [0.9, 5000, 3]);
    // The extremes of the front get infinite crowding (null in JSON); the inner ones finite distances.
    assert.equal(a.front![0].crowding, null);
    assert.equal(a.front![3].crowding, null);
    assert.ok(typeof a.front![1].crowding === 'number' && a.front![1].crowding > 0);
    assert.equal(a.epochs, 9);
    assert.ok(a.importance && a.importance.length === listParams(SPEC).length);
    assert.equal(JSON.parse(JSON.stringify(a)).front[0].crowding, null);
    const off = analyzeRun(state, { ...SPEC, search: { importance: false } }, objectives.slice(0, 1));
    assert.equal(off.importance, undefined);
    assert.equal(off.front, undefined);
  });
});
