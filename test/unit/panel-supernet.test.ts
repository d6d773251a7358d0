// The Supernet tab's markup: the alpha heatmap's rows, columns and derived pick from supernet-epoch events,
// escaped labels, no inline style (the CSP refuses it), and the learning curves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SupernetEpoch } from '../../src/shared/events';
import { heatmapData, heatmapSvg, supernetCurvesSvg } from '../../webview/supernetSvg';

function epoch(n: number, weights: number[][], labels = ['edge 0 → 1', 'edge 0 → 2', 'edge 1 → 2']): SupernetEpoch {
  const ops = ['none', 'skip', 'conv3x3'];
  return {
    type: 'supernet-epoch',
    time: '2026-12-03T00:00:00.000Z',
    epoch: n,
    epochs: 3,
    durationMs: 1000,
    metrics: { loss: 1 - n * 0.2, val_loss: 1.1 - n * 0.2, accuracy: 0.5 + n * 0.1, val_accuracy: 0.4 + n * 0.1 },
    alpha: weights.map((w, i) => ({ name: `architecture.edge[${i}]`, label: labels[i], ops, weights: w })),
  };
}

describe('supernet tab', () => {
  const e0 = epoch(0, [
    [0.34, 0.33, 0.33],
    [0.33, 0.34, 0.33],
    [0.33, 0.33, 0.34],
  ]);
  const e1 = epoch(1, [
    [0.7, 0.1, 0.2], // none leads: the derived pick is still conv3x3
    [0.1, 0.6, 0.3],
    [0.2, 0.2, 0.6],
  ]);

  it('shows the latest epoch, one row per edge, and outlines what derivation keeps', () => {
    const d = heatmapData([e0, e1])!;
    assert.equal(d.epoch, 1);
    assert.deepEqual(d.ops, ['none', 'skip', 'conv3x3']);
    assert.deepEqual(
      d.rows.map((r) => d.ops[r.pick]),
      ['conv3x3', 'skip', 'conv3x3'],
    );
    const svg = heatmapSvg(d, { width: 600 });
    assert.equal((svg.match(/class="alpha-row"/g) ?? []).length, 3);
    assert.equal((svg.match(/class="alpha-cell/g) ?? []).length, 9);
    assert.equal((svg.match(/alpha-pick"/g) ?? []).length, 3);
    assert.match(svg, /fill-opacity="0\.760"/, 'opacity follows the weight');
    assert.doesNotMatch(svg, /style=/);
    assert.equal(heatmapData([e0, e1], 0)!.epoch, 0, 'an earlier epoch on request');
    assert.equal(heatmapData([]), undefined);
  });

  it('escapes labels and leaves a gap where a choice lacks an operation', () => {
    const e = epoch(0, [[0.5, 0.5, 0]], ['<b>choice</b>']);
    e.alpha.push({ name: 'x', label: 'other', ops: ['dense', 'skip'], weights: [0.9, 0.1] });
    const d = heatmapData([e])!;
    assert.deepEqual(d.ops, ['none', 'skip', 'conv3x3', 'dense']);
    const svg = heatmapSvg(d, { width: 400 });
    assert.match(svg, /&lt;b&gt;choice&lt;\/b&gt;/);
    assert.equal((svg.match(/class="alpha-absent"/g) ?? []).length, 3);
  });

  it('draws the supernet learning curves', () => {
    const svg = supernetCurvesSvg([e0, e1], { width: 500, height: 180 });
    for (const c of ['curve-loss', 'curve-val-loss', 'curve-val-acc']) assert.match(svg, new RegExp(`<polyline class="${c}"`));
    assert.match(svg, /supernet epoch \(2 of 3\)/);
    assert.doesNotMatch(svg, /style=/);
  });
});
