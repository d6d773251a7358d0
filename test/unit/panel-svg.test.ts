// The panel's generated SVG: the architecture diagram and the parallel coordinates. Markup comes from journal
// data, so it must be escaped, and it must carry no inline style (the CSP refuses style attributes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CellArch, SequentialArch } from '../../src/shared/arch';
import { archSvg, layerSummary } from '../../webview/diagram';
import { buildAxes, parallelCoordsSvg, position, type PcTrial } from '../../webview/parallelCoords';

const SEQ: SequentialArch = {
  kind: 'sequential',
  layers: [
    { type: 'conv2d', source: 'architecture.layers[0]', filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'maxPooling2d', source: 'architecture.layers[1]', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'flatten', source: 'architecture.layers[2]' },
    { type: 'dense', source: 'architecture.layers[3].options[1]<x>', units: 64, activation: 'relu' },
  ],
};

const CELL: CellArch = {
  kind: 'cell',
  nodes: 4,
  channels: 16,
  cells: 1,
  stages: 3,
  edges: [
    { from: 0, to: 1, op: 'conv3x3' },
    { from: 0, to: 2, op: 'skip' },
    { from: 1, to: 2, op: 'none' },
    { from: 0, to: 3, op: 'avgPool3x3' },
    { from: 1, to: 3, op: 'conv1x1' },
    { from: 2, to: 3, op: 'sepConv3x3' },
  ],
};

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('architecture diagram', () => {
  it('draws a sequential model as one box per layer between input and output, joined by arrows', () => {
    const svg = archSvg(SEQ, { inputShape: [28, 28, 1], outputs: 10 });
    assert.equal(count(svg, /<g class="box /g), SEQ.layers.length + 2);
    assert.equal(count(svg, /<line class="edge"/g), SEQ.layers.length + 1);
    assert.match(svg, /28 × 28 × 1/);
    assert.match(svg, /dense 10 · softmax/);
    assert.match(svg, /16 filters · 3×3 · stride 1 · same · relu/);
  });

  it('escapes what comes from the journal and uses no inline style', () => {
    const svg = archSvg(SEQ);
    assert.match(svg, /options\[1\]&lt;x&gt;/);
    assert.doesNotMatch(svg, /<x>/);
    assert.doesNotMatch(svg, /style=/);
  });

  it("summarises each layer type's key fields", () => {
    assert.equal(layerSummary({ type: 'dropout', source: 's', rate: 0.25 }), 'rate 0.25');
    assert.equal(
      layerSummary({ type: 'depthwiseConv2d', source: 's', kernelSize: 5, strides: 2, padding: 'valid', depthMultiplier: 2, activation: 'relu6' }),
      '5×5 · ×2 · stride 2 · valid · relu6',
    );
    assert.equal(layerSummary({ type: 'flatten', source: 's' }), '');
  });

  it('draws a cell as its nodes and one labelled edge per connection, with "none" edges marked', () => {
    const svg = archSvg(CELL);
    assert.equal(count(svg, /<g class="cell-node">/g), 4);
    for (const e of CELL.edges) assert.match(svg, new RegExp(`data-edge="${e.from}-${e.to}">${e.op}<`));
    assert.equal(count(svg, /class="cell-edge op-none"/g), 1);
    assert.match(svg, /16 channels · 1 cell × 3 stages/);
    assert.doesNotMatch(svg, /style=|NaN|undefined/);
  });

  it('an op from a damaged or hostile journal cannot break out of its class attribute (issue 14 item 7)', () => {
    const op = 'x" onmouseover="alert(1)"><script>alert(2)</script><g class="';
    const svg = archSvg({ ...CELL, edges: [{ from: 0, to: 1, op: op as 'skip' }] });
    assert.doesNotMatch(svg, /<script|onmouseover="/);
    assert.match(svg, /class="cell-edge op-x__onmouseover__alert_1____script_alert_2___script__g_class__"/);
  });
});

describe('parallel coordinates', () => {
  const trials: PcTrial[] = [
    { trial: 0, params: { units: 32, lr: 0.0001, opt: 'adam', drop: false, fixed: 1 }, value: 0.5, pruned: false },
    { trial: 1, params: { units: 64, lr: 0.01, opt: 'sgd', drop: true, fixed: 1 }, value: 0.9, pruned: false },
    { trial: 2, params: { units: 128, lr: 0.001, opt: 'adam', drop: true, fixed: 1 }, value: 0.3, pruned: true },
    { trial: 3, params: { units: 32, lr: 0.003, opt: 'rmsprop', fixed: 1 }, value: 0.7, pruned: false },
  ];

  it('has an axis per varying parameter (constants say nothing), then the objective', () => {
    const axes = buildAxes(trials, 'val_accuracy');
    assert.deepEqual(
      axes.map((a) => [a.label, a.kind]),
      [
        ['units', 'linear'],
        ['lr', 'log'],
        ['opt', 'category'],
        ['drop', 'category'],
        ['val_accuracy', 'linear'],
      ],
    );
    assert.deepEqual(axes[2].categories, ['adam', 'rmsprop', 'sgd']);
    assert.deepEqual(
      axes[0].ticks.map((t) => t.label),
      ['32', '64', '128'],
      'few integer values are each labelled',
    );
  });

  it('places values between 0 and 1, with the best objective on top in either direction', () => {
    const axes = buildAxes(trials, 'v');
    const [units, lr, , drop, objective] = axes;
    assert.equal(position(units, 32), 0);
    assert.equal(position(units, 128), 1);
    assert.ok(Math.abs(position(lr, 0.001)! - 0.5) < 1e-9, 'log axis: 1e-3 is halfway between 1e-4 and 1e-2');
    assert.equal(position(drop, undefined), undefined, 'a parameter the trial never sampled');
    assert.equal(position(objective, 0.9, 'maximize'), 1);
    assert.equal(position(objective, 0.9, 'minimize'), 0);
  });

  it('merges lines into one path per class so thousands of trials stay a few elements', () => {
    const many: PcTrial[] = Array.from({ length: 2000 }, (_, i) => ({
      trial: i,
      params: { a: i % 7, b: i % 3 === 0 },
      value: (i % 100) / 100,
      pruned: i % 10 === 0,
    }));
    const svg = parallelCoordsSvg(many, { width: 800, height: 300, direction: 'maximize', objectiveLabel: 'acc', selected: 5 });
    assert.equal(count(svg, /<path /g), 4, 'rest, pruned, top, selected');
    assert.match(svg, /class="pc-line pc-selected" d="M[^"]+"/);
    assert.doesNotMatch(svg, /style=|NaN/);
  });

  it('says so when there is nothing to draw yet', () => {
    assert.match(parallelCoordsSvg([], { width: 400, height: 200, direction: 'maximize', objectiveLabel: 'acc' }), /No finished trials yet/);
  });
});
