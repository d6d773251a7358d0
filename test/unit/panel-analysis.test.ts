// The panel's multi-objective, analysis and multi-fidelity selectors: Pareto data, parameter importance,
// rung-aware state labels, learning curves across promotions, and the detail's extra facts. Pure functions
// driven by journal events, like panel-model.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialConfig } from '../../src/shared/arch';
import type { EpochMetrics, Objective, RunEvent } from '../../src/shared/events';
import type { RunStatus } from '../../src/shared/panel';
import { importanceSvg, niceTicks, paretoSvg } from '../../webview/analysisSvg';
import {
  curveSeries,
  importanceBars,
  isMultiObjective,
  leaderboardRows,
  objectivesOf,
  PanelModel,
  paretoData,
  paretoFrontTrials,
  stateLabel,
  trialFacts,
} from '../../webview/model';
import { at, completedWith } from '../helpers/events';

const TWO: Objective[] = [
  { metric: 'val_accuracy', direction: 'maximize' },
  { metric: 'params', direction: 'minimize' },
];

function started(objectives?: Objective[], pruner?: string): RunEvent {
  return {
    type: 'run-started',
    time: at(0),
    runId: 'r',
    name: 'mo',
    specHash: 'h',
    specFile: '/w/s.nas.json',
    backend: 'cpu',
    strategy: 'random',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    ...(objectives ? { objectives } : {}),
    ...(pruner ? { pruner } : {}),
    budget: { trials: 10 },
    parallel: 2,
    resumed: false,
    inputShape: [8, 8, 1],
    outputs: 3,
  };
}

const config: TrialConfig = {
  arch: { kind: 'sequential', layers: [{ type: 'flatten', source: 'architecture.layers[0]' }] },
  training: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 9 },
  params: { 'architecture.layers[0].units': 8 },
};

const trialStarted = (s: number, trial: number, extra: { rung?: number; epochs?: number; parent?: number } = {}): RunEvent => ({
  type: 'trial-started',
  time: at(s),
  trial,
  attempt: 1,
  worker: 0,
  config,
  ...extra,
});
const metrics = (v: number): EpochMetrics => ({ loss: 1 - v, val_loss: 1 - v, accuracy: v, val_accuracy: v });
const epoch = (s: number, trial: number, e: number, v: number): RunEvent => ({ type: 'epoch', time: at(s), trial, epoch: e, metrics: metrics(v) });

const completed = (s: number, trial: number, value: number, params: number, extra: { rung?: number; latencyMs?: number; inheritedLayers?: number } = {}) =>
  completedWith(s, trial, value, { metrics: metrics(value), params, durationMs: 100, ...extra });

const pruned = (s: number, trial: number, value: number, rung?: number): RunEvent => ({
  type: 'trial-pruned',
  time: at(s),
  trial,
  epoch: 0,
  value,
  reason: 'stopped at rung',
  params: 500,
  durationMs: 50,
  ...(rung !== undefined ? { rung } : {}),
});
const promoted = (s: number, trial: number, rung: number, fromEpoch: number, epochs: number): RunEvent => ({
  type: 'trial-promoted',
  time: at(s),
  trial,
  rung,
  fromEpoch,
  epochs,
  worker: 0,
  attempt: 1,
});

function model(events: RunEvent[], status: RunStatus = 'finished'): PanelModel {
  const m = new PanelModel();
  m.apply({ method: 'init', params: { runDir: '/w/run', status, canResume: false, events } });
  return m;
}

/** Trial i: accuracy a, weights p. Front of (max a, min p): 0 (0.5, 100), 1 (0.7, 300), 3 (0.9, 900); 2 is dominated by 1. */
function moRun(withAnalysis: boolean): RunEvent[] {
  const data: [number, number][] = [
    [0.5, 100],
    [0.7, 300],
    [0.6, 400],
    [0.9, 900],
  ];
  const ev: RunEvent[] = [started(TWO)];
  data.forEach(([a, p], i) => ev.push(trialStarted(i, i), epoch(i, i, 0, a), completed(i, i, a, p)));
  if (withAnalysis) {
    ev.push({
      type: 'analysis',
      time: at(20),
      objectives: TWO,
      epochs: 4,
      front: [
        { trial: 3, values: [0.9, 900], crowding: null },
        { trial: 1, values: [0.7, 300], crowding: 2 },
        { trial: 0, values: [0.5, 100], crowding: null },
      ],
      importance: [
        { param: 'training.learningRate', importance: 0.2 },
        { param: 'architecture.layers[0].units', label: 'units', importance: 0.7 },
        { param: 'architecture.layers[1].rate', importance: 0.1 },
      ],
    });
    ev.push({ type: 'run-finished', time: at(21), reason: 'budget' });
  }
  return ev;
}

describe('panel: objectives', () => {
  it('a single-objective run has no Pareto tab', () => {
    const m = model([started(), trialStarted(1, 0), completed(2, 0, 0.5, 100)]);
    assert.equal(isMultiObjective(m), false);
    assert.deepEqual(objectivesOf(m), [{ metric: 'val_accuracy', direction: 'maximize' }]);
    const d = paretoData(m);
    assert.deepEqual([d.points, d.front, d.table], [[], [], []]);
  });

  it('a run with several objectives has one', () => {
    assert.equal(isMultiObjective(model(moRun(false))), true);
  });
});

describe('panel: Pareto data', () => {
  it('computes the front from completed trials while the run has no analysis yet', () => {
    const d = paretoData(model(moRun(false), 'running'));
    assert.deepEqual(
      d.points.map((p) => [p.trial, p.front]),
      [
        [0, true],
        [1, true],
        [2, false],
        [3, true],
      ],
    );
    // Connected along x; the table is best primary value first.
    assert.deepEqual(
      d.front.map((p) => p.trial),
      [0, 1, 3],
    );
    assert.deepEqual(
      d.table.map((r) => r.trial),
      [3, 1, 0],
    );
    assert.deepEqual(d.points[2].values, [0.6, 400]);
  });

  it('takes the front and crowding from the analysis event when there is one', () => {
    const m = model(moRun(true));
    const d = paretoData(m);
    assert.deepEqual(d.table, [
      { trial: 3, values: [0.9, 900], crowding: null },
      { trial: 1, values: [0.7, 300], crowding: 2 },
      { trial: 0, values: [0.5, 100], crowding: null },
    ]);
    assert.deepEqual([...paretoFrontTrials(m)].sort(), [0, 1, 3]);
  });

  it('leaves out pruned and failed trials and unmeasured values', () => {
    const ev = moRun(false);
    ev.push(trialStarted(10, 4), pruned(11, 4, 0.99));
    ev.push(trialStarted(12, 5), { type: 'trial-failed', time: at(13), trial: 5, error: 'x', durationMs: 1, retry: false });
    const m = model(ev);
    assert.deepEqual(
      paretoData(m).points.map((p) => p.trial),
      [0, 1, 2, 3],
    );
    // Latency as an objective but never measured: NaN, so not on the chart.
    const lat = model([started([TWO[0], { metric: 'latency', direction: 'minimize' }]), trialStarted(1, 0), completed(2, 0, 0.5, 100)]);
    assert.deepEqual(paretoData(lat).points, []);
  });

  it('draws the front connected and highlighted, the selection apart, and clickable points', () => {
    const svg = paretoSvg(paretoData(model(moRun(true))), { width: 600, height: 300, selected: 2 });
    assert.equal((svg.match(/class="pareto-pt pareto-front"/g) ?? []).length, 3);
    assert.equal((svg.match(/pareto-selected/g) ?? []).length, 1);
    assert.match(svg, /<path class="pareto-line" d="M[^"]+L[^"]+L[^"]+"/);
    assert.match(svg, /data-trial="2"/);
    assert.match(svg, /weights \(lower is better\)/);
    assert.doesNotMatch(svg, /style=/);
    assert.match(paretoSvg(paretoData(model([started(TWO)])), { width: 600, height: 300 }), /No completed trials yet/);
  });

  it('picks round ticks', () => {
    assert.deepEqual(niceTicks(0.31, 0.93), [0.4, 0.6, 0.8]);
    assert.deepEqual(niceTicks(0.31, 0.93, 10), [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.deepEqual(niceTicks(80, 4300), [1000, 2000, 3000, 4000]);
    assert.deepEqual(niceTicks(2, 2), [2]);
  });
});

describe('panel: parameter importance', () => {
  it('is empty before the analysis, then sorted, most important first, with readable labels ("layer #2: rate", not a path)', () => {
    assert.deepEqual(importanceBars(model(moRun(false))), []);
    const bars = importanceBars(model(moRun(true)));
    assert.deepEqual(
      bars.map((b) => [b.label, b.importance]),
      [
        ['units', 0.7],
        ['learningRate', 0.2],
        ['layer #2: rate', 0.1],
      ],
    );
  });

  it('draws one bar per parameter, scaled to the largest, escaped and without inline styles', () => {
    const svg = importanceSvg(
      [
        { param: 'a<b>', label: 'a<b>', importance: 0.6 },
        { param: 'c', label: 'c', importance: 0.3 },
      ],
      { width: 500 },
    );
    const widths = [...svg.matchAll(/class="imp-bar"[^>]*width="([\d.]+)"/g)].map((x) => Number(x[1]));
    assert.equal(widths.length, 2);
    assert.ok(Math.abs(widths[1] / widths[0] - 0.5) < 1e-3);
    assert.match(svg, /60\.0%/);
    assert.doesNotMatch(svg, /<b>/);
    assert.doesNotMatch(svg, /style=/);
    assert.equal(importanceSvg([], { width: 500 }), '');
  });
});

describe('panel: rungs and promotions', () => {
  function ashaRun(): RunEvent[] {
    return [
      started(undefined, 'asha'),
      trialStarted(1, 0, { rung: 0, epochs: 1 }),
      epoch(2, 0, 0, 0.4),
      pruned(3, 0, 0.4, 0),
      promoted(4, 0, 1, 1, 3),
      epoch(5, 0, 1, 0.5),
      epoch(6, 0, 2, 0.6),
      trialStarted(7, 1, { rung: 0, epochs: 1 }),
      epoch(8, 1, 0, 0.3),
      pruned(9, 1, 0.3, 0),
    ];
  }

  it('says where each trial stands in the ladder', () => {
    const rows = leaderboardRows(model(ashaRun(), 'running'));
    assert.deepEqual(rows.map(stateLabel), ['promoted → rung 1', 'pruned @ rung 0']);
    assert.equal(rows[0].promotions, 1);
    assert.equal(rows[0].epochs, 3);
    // Without rungs the label is the plain state.
    const plain = leaderboardRows(model([started(), trialStarted(1, 0), pruned(2, 0, 0.1)]));
    assert.equal(stateLabel(plain[0]), 'pruned');
  });

  it('continues a promoted trial’s learning curve across its segments', () => {
    const live = curveSeries(model(ashaRun(), 'running'));
    // Trial 1, paused at its rung, ranks (issue 10): it is the best so far, drawn first as the reference.
    assert.deepEqual(
      live.curves.map((c) => [c.trial, c.best]),
      [
        [1, true],
        [0, false],
      ],
    );
    assert.deepEqual(live.curves[1].values, [0.4, 0.5, 0.6]);
    const ev = [...ashaRun(), completed(10, 0, 0.6, 1000, { rung: 1 }), { type: 'run-finished', time: at(11), reason: 'budget' } as RunEvent];
    const done = curveSeries(model(ev));
    assert.deepEqual(done.epochs, [1, 2, 3]);
    assert.deepEqual(done.curves.find((c) => c.trial === 0)?.values, [0.4, 0.5, 0.6]);
  });

  it('shows the rung in the finished trial’s facts', () => {
    const ev = [...ashaRun(), completed(10, 0, 0.6, 1000, { rung: 1 })];
    const m = model(ev);
    assert.deepEqual(trialFacts(m, m.state.trials.get(0)!), ['rung 1, promoted 1×']);
    assert.equal(stateLabel(leaderboardRows(m)[0]), 'completed');
  });
});

describe('panel: trial facts', () => {
  it('names the parent, the inherited layers and the latency', () => {
    const m = model([
      started(),
      trialStarted(1, 0),
      completed(2, 0, 0.5, 100),
      trialStarted(3, 1, { parent: 0 }),
      completed(4, 1, 0.6, 120, { inheritedLayers: 2, latencyMs: 1.234 }),
    ]);
    assert.deepEqual(trialFacts(m, m.state.trials.get(1)!), ['latency 1.234 ms', 'inherits 2 layers from trial #0']);
    assert.deepEqual(trialFacts(m, m.state.trials.get(0)!), []);
  });

  it('adds the objectives the summary does not show, and the front membership', () => {
    const objectives: Objective[] = [TWO[0], TWO[1], { metric: 'latency', direction: 'minimize' }];
    const m = model([
      started(objectives),
      trialStarted(1, 0),
      completed(2, 0, 0.5, 100, { latencyMs: 3 }),
      trialStarted(3, 1),
      completed(4, 1, 0.4, 200, { latencyMs: 4 }),
    ]);
    assert.deepEqual(trialFacts(m, m.state.trials.get(0)!), ['latency (ms) 3 ms', 'on the Pareto front']);
    assert.deepEqual(trialFacts(m, m.state.trials.get(1)!), ['latency (ms) 4 ms']);
  });
});
