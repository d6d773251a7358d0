// The checker's cost range and dead-cell count for cell spaces come from one case per none-pattern of the edges
// (core/analyze.ts); here they are checked against building every cell of the space with cellCost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CellOperation } from '../../src/shared/arch';
import type { NasSpec } from '../../src/shared/spec';
import { analyze } from '../../src/core/analyze';
import { cellCost, ShapeError, type Shape } from '../../src/core/shapes';
import { cellEdgeList } from '../../src/core/space';

interface Space {
  nodes: number;
  operations: CellOperation[];
  channels: number[];
  cells: number[];
  stages: number[];
  input: Shape;
}

function bruteForce(s: Space, outputs: number) {
  const edges = cellEdgeList(s.nodes);
  const total = s.operations.length ** edges.length;
  let dead = 0;
  let minParams = Infinity;
  let maxParams = -Infinity;
  let minFlops = Infinity;
  let maxFlops = -Infinity;
  for (let n = 0; n < total; n++) {
    let r = n;
    const cell = edges.map(([from, to]) => {
      const op = s.operations[r % s.operations.length];
      r = Math.floor(r / s.operations.length);
      return { from, to, op };
    });
    let isDead = false;
    for (const channels of s.channels)
      for (const cells of s.cells)
        for (const stages of s.stages) {
          try {
            const c = cellCost({ kind: 'cell', nodes: s.nodes, edges: cell, channels, cells, stages }, s.input, outputs);
            minParams = Math.min(minParams, c.params);
            maxParams = Math.max(maxParams, c.params);
            minFlops = Math.min(minFlops, c.flops);
            maxFlops = Math.max(maxFlops, c.flops);
          } catch (err) {
            if (!(err instanceof ShapeError)) throw err;
            isDead = true;
          }
        }
    if (isDead) dead++;
  }
  return { total, dead, range: { minParams, maxParams, minFlops, maxFlops } };
}

const param = (values: number[]) => (values.length === 1 ? values[0] : { choice: values });

function specOf(s: Space): NasSpec {
  return {
    name: 'cells',
    dataset: { source: 'synthetic', generator: 'shapes', samples: 100 },
    architecture: { type: 'cell', nodes: s.nodes, operations: s.operations, channels: param(s.channels), cells: param(s.cells), stages: param(s.stages) },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 16, epochs: 1 },
    search: { strategy: 'random', budget: { trials: 2 } },
  } as NasSpec;
}

const spaces: Space[] = [
  { nodes: 4, operations: ['none', 'skip', 'conv1x1', 'conv3x3', 'avgPool3x3'], channels: [8, 16], cells: [1], stages: [3], input: [16, 16, 3] },
  { nodes: 4, operations: ['skip', 'conv3x3', 'maxPool3x3'], channels: [4], cells: [1, 2], stages: [1, 2], input: [9, 7, 1] },
  { nodes: 3, operations: ['none', 'sepConv3x3', 'conv1x1'], channels: [8, 12, 16], cells: [2], stages: [2, 3], input: [28, 28, 1] },
  { nodes: 5, operations: ['none', 'conv3x3'], channels: [6], cells: [1], stages: [2], input: [12, 12, 2] },
  { nodes: 4, operations: ['none'], channels: [8], cells: [1], stages: [1], input: [8, 8, 1] },
];

test('cell spaces: cost range and dead cells equal those of every cell built one by one', () => {
  for (const s of spaces) {
    const outputs = 10;
    const want = bruteForce(s, outputs);
    const got = analyze(specOf(s), s.input, outputs);
    const label = `${s.nodes} nodes, ${s.operations.join('/')}`;
    const messages = got.problems.map((p) => p.message);
    if (want.dead === want.total) {
      assert.ok(
        messages.some((m) => m.startsWith('no cell in this space connects')),
        label,
      );
      assert.equal(got.minParams, undefined, label);
      continue;
    }
    assert.deepEqual({ minParams: got.minParams, maxParams: got.maxParams, minFlops: got.minFlops, maxFlops: got.maxFlops }, want.range, label);
    const warning = messages.find((m) => m.includes('cells have no path'));
    if (want.dead === 0) assert.equal(warning, undefined, label);
    else assert.equal(warning?.split(' cells ')[0], `${want.dead} of ${want.total}`, label);
  }
});
