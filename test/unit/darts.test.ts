// DARTS in the core: what the supernet covers (located errors for the rest), the supernet's cost in the
// checker, and the derivation of architectures from alpha.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';
import { deriveAssignments, DartsStrategy } from '../../src/core/strategies/darts';
import { supernetSpace } from '../../src/core/strategies/dartsSpace';
import type { NasSpec } from '../../src/shared/spec';
import { alphaRate, type AlphaRow, type CellSupernet, type SupernetConfig } from '../../src/shared/supernet';

const root = path.join(__dirname, '..', '..');
const cells = fs.readFileSync(path.join(root, 'examples/cells.nas.json'), 'utf8');

function check(text: string) {
  return checkText(text, { file: path.join(root, 'examples/x.nas.json') });
}
const errors = (text: string) => check(text).diagnostics.filter((d) => d.severity === 'error');

function sequential(layers: object[], training: object = { epochs: 2 }): string {
  return JSON.stringify(
    {
      dataset: { source: 'synthetic', generator: 'shapes', samples: 200 },
      architecture: { type: 'sequential', layers },
      training,
      search: { strategy: 'darts' },
    },
    null,
    2,
  );
}

describe('darts: what the supernet covers', () => {
  it('accepts the cell example once its channels are fixed, and says what the supernet costs', () => {
    const text = cells.replace('"evolution"', '"darts"').replace('{ "choice": [8, 16] }', '16');
    assert.deepEqual(errors(text), []);
    const s = check(text).summary!.supernet!;
    // every edge carries all five operations: far more than the largest single network (366k weights)
    assert.ok(s.params > 366_000, `${s.params}`);
    assert.ok(s.flops > 25e6, `${s.flops}`);
    assert.ok(s.memoryBytes > 4 * 4 * s.params);
  });

  it('does not warn of cells without a path: darts derives only live cells', () => {
    const warned = (t: string) => check(t).diagnostics.some((d) => /have no path/.test(d.message));
    // the same space under evolution samples dead cells (every edge into the output `none`)
    assert.ok(warned(cells.replace('{ "choice": [8, 16] }', '16')));
    assert.ok(!warned(cells.replace('"evolution"', '"darts"').replace('{ "choice": [8, 16] }', '16')));
  });

  it('searches the cell example narrow and retrains it wide: channels and cells at their smallest, then largest', () => {
    const text = cells.replace('"evolution"', '"darts"').replace('"cells": 1', '"cells": { "int": [1, 2] }');
    assert.deepEqual(errors(text), []);
    const spec = check(text).spec!;
    const s = new DartsStrategy({ spec, seed: 0, direction: 'maximize' });
    const space = s.supernetConfig().space;
    assert.ok(space.kind === 'cell');
    assert.deepEqual([space.channels, space.cells], [8, 1]);
    s.learnt(space.edges.map((e) => row(e.name, e.ops, [0.1, 0.1, 0.1, 0.6, 0.1])));
    const t = s.ask(0)!;
    assert.ok(t.arch.kind === 'cell');
    assert.deepEqual([t.arch.channels, t.arch.cells], [16, 2]);
    assert.ok(t.arch.edges.every((e) => e.op === 'conv3x3' || e.op === 'none'));
    assert.equal(t.params['architecture.channels'], 16);
  });

  it('does not count the scaled channels choice as searched: the summary counts the derived cells', () => {
    const evolution = check(cells).summary!;
    assert.deepEqual([evolution.parameters, evolution.size.architectures], [1, 31_250n]);
    const darts = check(cells.replace('"evolution"', '"darts"')).summary!;
    // 5 operations on each of 6 edges, all retrained at 16 channels
    assert.deepEqual([darts.parameters, darts.size.architectures], [0, 15_625n]);
  });

  it('refuses a choice of stages, located at the value: the skeleton must be fixed', () => {
    const text = cells.replace('"evolution"', '"darts"').replace('"stages": 3', '"stages": { "choice": [2, 3] }');
    const e = errors(text);
    assert.equal(e.length, 1);
    assert.equal(e[0].path, 'architecture.stages');
    assert.match(e[0].message, /darts covers cell operations and layer choices/);
    assert.equal(
      e[0].range.start.line,
      text.split('\n').findIndex((l) => l.includes('"stages"')),
    );
  });

  it('refuses what a sequential supernet does not cover, each at its place', () => {
    const text = sequential(
      [
        { type: 'conv2d', filters: 8 },
        {
          type: 'choice',
          options: [
            { type: 'conv2d', filters: 8 },
            { type: 'maxPooling2d', poolSize: 3, strides: 1, padding: 'same' },
          ],
        },
        { type: 'flatten' },
        { type: 'dense', units: { choice: [16, 32] } },
        { type: 'dropout', rate: 0.2, optional: true },
        { type: 'block', repeat: { int: [1, 2] }, layers: [{ type: 'dense', units: 8 }] },
        {
          type: 'choice',
          options: [
            {
              type: 'choice',
              options: [
                { type: 'dense', units: 4 },
                { type: 'dense', units: 4, activation: 'tanh' },
              ],
            },
            { type: 'dense', units: 4 },
          ],
        },
      ],
      { learningRate: { float: [0.001, 0.01] } },
    );
    const byPath = new Map(errors(text).map((d) => [d.path, d.message]));
    assert.match(byPath.get('architecture.layers[3].units')!, /not this value/);
    assert.match(byPath.get('architecture.layers[4].optional')!, /optional layers/);
    assert.match(byPath.get('architecture.layers[5].repeat')!, /how often a block repeats/);
    assert.match(byPath.get('architecture.layers[6].options[0].options')!, /not a choice inside an option/);
    assert.match(byPath.get('training.learningRate')!, /fix training.learningRate/);
    assert.equal(byPath.has('architecture.layers[1].options'), false, 'a top-level choice is covered');
  });

  it('refuses options whose outputs differ in shape: a weighted sum needs one shape', () => {
    const text = sequential([
      { type: 'conv2d', filters: 8 },
      { type: 'choice', options: [{ type: 'flatten' }, { type: 'globalAveragePooling2d' }] },
    ]);
    const e = errors(text);
    assert.equal(e.length, 1);
    assert.equal(e[0].path, 'architecture.layers[1].options');
    assert.match(e[0].message, /flatten \[2048\], globalAveragePooling2d \[8\]/);
  });

  it('refuses a supernet that would not fit in a worker', () => {
    const text = cells.replace('"evolution"', '"darts"').replace('{ "choice": [8, 16] }', '512').replace('"batchSize": 64', '"batchSize": 512');
    const e = errors(text).filter((d) => d.code === 'size');
    assert.equal(e.length, 1);
    assert.equal(e[0].path, 'search.strategy');
    assert.match(e[0].message, /beyond a worker's 2048 MB/);
  });

  it('sizes the supernet with search.darts.batchSize when given (the supernet trains with it)', () => {
    const text = cells.replace('"evolution"', '"darts"');
    const memory = (t: string) => check(t).summary!.supernet!.memoryBytes;
    const wide = text.replace('"seed": 3', '"seed": 3, "darts": { "batchSize": 256 }');
    assert.ok(memory(wide) > 2 * memory(text), `${memory(wide)} vs ${memory(text)}`);
    const spec = check(wide).spec!;
    const config = new DartsStrategy({ spec, seed: 0, direction: 'maximize' }).supernetConfig();
    assert.equal(config.training.batchSize, 256);
    assert.equal(new DartsStrategy({ spec: check(text).spec!, seed: 0, direction: 'maximize' }).supernetConfig().training.batchSize, 64);
  });

  it('refuses a space with nothing to mix', () => {
    const e = errors(sequential([{ type: 'dense', units: 4 }]));
    assert.match(e[0].message, /nothing to search/);
  });
});

const row = (name: string, ops: string[], weights: number[]): AlphaRow => ({ name, label: name, ops, weights });

describe('darts: derivation', () => {
  const space: CellSupernet = {
    kind: 'cell',
    nodes: 4,
    channels: 8,
    cells: 1,
    stages: 1,
    operations: ['none', 'skip', 'conv3x3'],
    edges: [
      [0, 1],
      [0, 2],
      [1, 2],
      [0, 3],
      [1, 3],
      [2, 3],
    ].map(([from, to]) => ({ name: `architecture.edge[${from}->${to}]`, label: '', ops: ['none', 'skip', 'conv3x3'], from, to })),
  };
  const alpha = [
    row('architecture.edge[0->1]', space.operations, [0.8, 0.05, 0.15]), // none is strongest: the best other op wins
    row('architecture.edge[0->2]', space.operations, [0.2, 0.5, 0.3]),
    row('architecture.edge[1->2]', space.operations, [0.2, 0.25, 0.55]),
    row('architecture.edge[0->3]', space.operations, [0.1, 0.1, 0.8]),
    row('architecture.edge[1->3]', space.operations, [0.6, 0.3, 0.1]), // the weakest input of node 3
    row('architecture.edge[2->3]', space.operations, [0.3, 0.6, 0.1]),
  ];

  it('keeps the strongest operation that is not none, and the two strongest inputs of each node', () => {
    const [best] = deriveAssignments(space, alpha, 1);
    assert.deepEqual(best, {
      'architecture.edge[0->1]': 'conv3x3',
      'architecture.edge[0->2]': 'skip',
      'architecture.edge[1->2]': 'conv3x3',
      'architecture.edge[0->3]': 'conv3x3',
      'architecture.edge[1->3]': 'none',
      'architecture.edge[2->3]': 'skip',
    });
  });

  it('keeps every input when the space cannot drop an edge (no none)', () => {
    const noNone: CellSupernet = { ...space, operations: ['skip', 'conv3x3'] };
    const rows = alpha.map((r) => row(r.name, ['skip', 'conv3x3'], r.weights.slice(1)));
    const [best] = deriveAssignments(noNone, rows, 1);
    assert.equal(best['architecture.edge[1->3]'], 'skip');
  });

  it('derives the next most probable architectures, each once', () => {
    const all = deriveAssignments(space, alpha, 5);
    assert.equal(all.length, 5);
    assert.equal(new Set(all.map((a) => JSON.stringify(a))).size, 5);
    // The second: flip the edge whose runner-up is closest (0->2: skip 0.5 vs conv3x3 0.3, ratio 0.6).
    assert.equal(all[1]['architecture.edge[0->2]'], 'conv3x3');
  });

  it('turns alpha into trials of the spec, only once alpha is learnt', () => {
    const spec = JSON.parse(
      sequential([
        { type: 'conv2d', filters: 4 },
        {
          type: 'choice',
          options: [
            { type: 'conv2d', filters: 4 },
            { type: 'maxPooling2d', poolSize: 3, strides: 1, padding: 'same' },
          ],
        },
        { type: 'flatten' },
      ]).replace(/"search": \{/, '"search": { "darts": { "derive": 2 },'),
    ) as NasSpec;
    const s = new DartsStrategy({ spec, seed: 0, direction: 'maximize' });
    assert.throws(() => s.ask(0), /before its supernet was trained/);
    const space = supernetSpace(spec);
    assert.equal(space.kind, 'sequential');
    s.learnt([row('architecture.layers[1].option', ['conv2d', 'maxPooling2d'], [0.3, 0.7])]);
    const first = s.ask(0)!;
    assert.deepEqual(first.params, { 'architecture.layers[1].option': 1 });
    assert.deepEqual(first.arch.kind === 'sequential' && first.arch.layers.map((l) => l.type), ['conv2d', 'maxPooling2d', 'flatten']);
    assert.deepEqual(s.ask(1)!.params, { 'architecture.layers[1].option': 0 });
    assert.equal(s.ask(2), undefined);
  });
});

describe('darts: alpha step size', () => {
  const config = (epochs: number, alphaLearningRate?: number): SupernetConfig => ({
    space: { kind: 'sequential', positions: [] },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs },
    ...(alphaLearningRate !== undefined ? { alphaLearningRate } : {}),
  });

  it("is the spec's when it gives one", () => {
    assert.equal(alphaRate(config(3, 0.02), 1200), 0.02);
  });

  it("is DARTS' 3e-4 over its 19,550 steps, scaled to a shorter search and capped at 0.1", () => {
    assert.equal(alphaRate(config(50, undefined), 391 * 64), 3e-4);
    assert.equal(alphaRate(config(100, undefined), 391 * 64), 3e-4);
    // Fashion-MNIST's 54,000 training images in batches of 128 for 2 epochs: 844 steps
    assert.ok(Math.abs(alphaRate({ ...config(2), training: { ...config(2).training, batchSize: 128 } }, 54_000) - (3e-4 * 19_550) / 844) < 1e-12);
    // examples/cells.nas.json: 3 epochs of 19 batches
    assert.equal(alphaRate(config(3), 1200), 0.1);
  });
});
