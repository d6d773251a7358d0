#!/usr/bin/env node
// How long the panel's pure work takes for a big run (not a test: timings vary by machine). Prints the cost of
// an init with N trials, of one live batch on top of it, and of each selector a frame may run.
//   node webview/bench-reducer.mjs [trials=5000]
import { tsImport } from 'tsx/esm/api';
import { synthesize } from '../scripts/panel-synthetic.mjs';

const n = Number(process.argv[2] ?? 5000);
const { PanelModel, leaderboardRows, sortRows, objectiveSeries, curveSeries } = await tsImport('./model.ts', import.meta.url);
const { parallelCoordsSvg } = await tsImport('./parallelCoords.ts', import.meta.url);

const events = synthesize(n);
// Each measured twice: the first run pays for the JIT, the second is what a live panel pays per frame.
const time = (label, f) => {
  f();
  const t = performance.now();
  const r = f();
  console.log(`${label.padEnd(34)} ${(performance.now() - t).toFixed(1).padStart(7)} ms`);
  return r;
};

const m = new PanelModel();
time(`init (${events.length} events)`, () =>
  m.apply({ method: 'init', params: { runDir: '/r', status: 'running', canResume: false, events: events.slice(0, -200) } }),
);
time('events batch (200 events)', () => m.apply({ method: 'events', params: { events: events.slice(-200) } }));
const rows = time('leaderboardRows', () => leaderboardRows(m));
time('sortRows by objective', () => sortRows(rows, { key: 'value', dir: 'desc' }));
time('objectiveSeries (time)', () => objectiveSeries(m, 'time'));
time('curveSeries', () => curveSeries(m));
const trials = [...m.state.trials.values()]
  .filter((t) => t.value !== undefined)
  .map((t) => ({ trial: t.trial, params: t.config.params, value: t.value, pruned: t.status === 'pruned' }));
const svg = time('parallelCoordsSvg', () => parallelCoordsSvg(trials, { width: 1200, height: 320, direction: 'maximize', objectiveLabel: 'val_accuracy' }));
console.log(`parallel coordinates markup: ${(svg.length / 1024).toFixed(0)} KiB`);
