// The DARTS supernet as SVG strings: the alpha heatmap (one row per cell edge or layer choice, one column per
// operation, each cell's opacity its softmax weight, the derived pick outlined) and the supernet's own learning
// curves. Pure (no DOM) so tests read the markup; colours come from classes in supernet.css (the CSP forbids
// inline style attributes; opacity is a presentation attribute).
import type { SupernetEpoch } from '../src/shared/events';
import { escapeXml } from './format';

export interface HeatmapData {
  /** Operations in order of first appearance over the rows. */
  ops: string[];
  rows: { label: string; name: string; weights: (number | undefined)[]; pick: number }[];
  epoch: number;
  epochs: number;
}

/** The heatmap of one supernet epoch (default: the latest). */
export function heatmapData(epochs: readonly (SupernetEpoch | undefined)[], at?: number): HeatmapData | undefined {
  const e = at !== undefined ? epochs[at] : [...epochs].reverse().find((x) => x);
  if (!e) return undefined;
  const ops: string[] = [];
  for (const r of e.alpha) for (const op of r.ops) if (!ops.includes(op)) ops.push(op);
  const rows = e.alpha.map((r) => {
    const weights = ops.map((op) => {
      const k = r.ops.indexOf(op);
      return k < 0 ? undefined : r.weights[k];
    });
    // What derivation keeps: the strongest candidate that is not `none`.
    let pick = -1;
    weights.forEach((w, k) => {
      if (w !== undefined && ops[k] !== 'none' && (pick < 0 || w > weights[pick]!)) pick = k;
    });
    return { label: r.label, name: r.name, weights, pick };
  });
  return { ops, rows, epoch: e.epoch, epochs: e.epochs };
}

const ROW = 24;
const HEAD = 26;

export function heatmapSvg(d: HeatmapData, o: { width: number }): string {
  const labelW = Math.min(220, Math.max(70, Math.max(...d.rows.map((r) => r.label.length)) * 6.5 + 10));
  const cellW = Math.max(54, Math.min(110, (Math.max(320, o.width) - labelW) / Math.max(d.ops.length, 1)));
  const width = Math.ceil(labelW + cellW * d.ops.length + 2);
  const height = HEAD + ROW * d.rows.length + 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="alpha-heatmap" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Architecture weights (softmax of alpha) after supernet epoch ${d.epoch + 1} of ${d.epochs}">`,
  ];
  d.ops.forEach((op, k) => {
    parts.push(`<text class="alpha-op" x="${(labelW + cellW * k + cellW / 2).toFixed(1)}" y="${HEAD - 9}" text-anchor="middle">${escapeXml(op)}</text>`);
  });
  d.rows.forEach((r, i) => {
    const y = HEAD + i * ROW;
    parts.push(`<g class="alpha-row" data-name="${escapeXml(r.name)}">`);
    parts.push(`<text class="alpha-label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${escapeXml(r.label)}</text>`);
    r.weights.forEach((w, k) => {
      const x = (labelW + cellW * k).toFixed(1);
      if (w === undefined) {
        parts.push(`<rect class="alpha-absent" x="${x}" y="${y + 1}" width="${(cellW - 2).toFixed(1)}" height="${ROW - 2}"/>`);
        return;
      }
      const picked = k === r.pick;
      parts.push(
        `<rect class="alpha-cell${picked ? ' alpha-pick' : ''}" x="${x}" y="${y + 1}" width="${(cellW - 2).toFixed(1)}" height="${ROW - 2}" fill-opacity="${Math.min(1, 0.06 + w).toFixed(3)}" data-op="${escapeXml(d.ops[k])}" data-weight="${w.toFixed(4)}"><title>${escapeXml(`${r.label}, ${d.ops[k]}: ${w.toFixed(4)}${picked ? ' (derived)' : ''}`)}</title></rect>`,
      );
      parts.push(
        `<text class="alpha-value${picked ? ' alpha-pick-text' : ''}" x="${(labelW + cellW * k + cellW / 2 - 1).toFixed(1)}" y="${y + 16}" text-anchor="middle">${w.toFixed(3)}</text>`,
      );
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The supernet's loss and val_loss per epoch, and val_accuracy on its own 0-1 axis at the right. */
export function supernetCurvesSvg(epochs: readonly (SupernetEpoch | undefined)[], o: { width: number; height: number }): string {
  const list = epochs.filter((e): e is SupernetEpoch => !!e);
  const { width, height } = o;
  const pad = { l: 44, r: 44, t: 10, b: 24 };
  const w = Math.max(40, width - pad.l - pad.r);
  const h = Math.max(40, height - pad.t - pad.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="supernet-curves" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Supernet learning curves">`,
  ];
  if (!list.length) return parts.join('') + '</svg>';
  const planned = Math.max(list[0].epochs, list.length);
  const losses = list.flatMap((e) => [e.metrics.loss, e.metrics.val_loss]).filter((v) => Number.isFinite(v));
  const maxLoss = Math.max(...losses, 1e-9);
  const x = (epoch: number) => pad.l + (planned <= 1 ? w / 2 : (epoch / (planned - 1)) * w);
  const yLoss = (v: number) => pad.t + h - (v / maxLoss) * h;
  const yAcc = (v: number) => pad.t + h - v * h;
  parts.push(`<rect class="curves-frame" x="${pad.l}" y="${pad.t}" width="${w}" height="${h}" fill="none"/>`);
  const line = (cls: string, pts: [number, number][]) =>
    pts.length > 1
      ? `<polyline class="${cls}" fill="none" points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`
      : pts.map(([a, b]) => `<circle class="${cls}" cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5"/>`).join('');
  parts.push(
    line(
      'curve-loss',
      list.map((e) => [x(e.epoch), yLoss(e.metrics.loss)]),
    ),
  );
  parts.push(
    line(
      'curve-val-loss',
      list.map((e) => [x(e.epoch), yLoss(e.metrics.val_loss)]),
    ),
  );
  const acc = list.filter((e) => e.metrics.val_accuracy !== undefined);
  if (acc.length)
    parts.push(
      line(
        'curve-val-acc',
        acc.map((e) => [x(e.epoch), yAcc(e.metrics.val_accuracy!)]),
      ),
    );
  parts.push(`<text class="curves-tick" x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${maxLoss.toPrecision(2)}</text>`);
  parts.push(`<text class="curves-tick" x="${pad.l - 4}" y="${pad.t + h}" text-anchor="end">0</text>`);
  if (acc.length) parts.push(`<text class="curves-tick" x="${pad.l + w + 4}" y="${pad.t + 8}">acc 1</text>`);
  parts.push(`<text class="curves-tick" x="${pad.l + w}" y="${height - 6}" text-anchor="end">supernet epoch (${list.length} of ${planned})</text>`);
  const legend = [['legend-loss', 'loss'], ['legend-val-loss', 'val_loss'], ...(acc.length ? [['legend-val-acc', 'val_accuracy']] : [])];
  legend.forEach(([cls, label], i) => parts.push(`<text class="${cls}" x="${pad.l + i * 90}" y="${height - 6}">${label}</text>`));
  parts.push('</svg>');
  return parts.join('');
}
