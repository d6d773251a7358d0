// The run analysis as SVG strings: parameter importance as sorted horizontal bars, and the Pareto scatter of the
// first two objectives with the front highlighted and connected. Pure (no DOM) so tests can read the markup;
// colours come from CSS classes (panel.css) because the CSP forbids inline style attributes.
import type { Objective } from '../src/shared/events';
import { escapeXml } from './format';
import { formatObjective, objectiveLabel, type ImportanceBar, type ParetoData } from './model';

const BAR_ROW = 22;

export function importanceSvg(bars: readonly ImportanceBar[], o: { width: number }): string {
  const width = Math.max(240, o.width);
  if (!bars.length) return '';
  // As wide as the longest label needs (about 6.5 px a character at 11 px), within limits.
  const labelW = Math.min(260, Math.round(width * 0.35), Math.max(80, Math.max(...bars.map((b) => b.label.length)) * 6.5 + 8));
  const pctW = 56;
  const barX = labelW + 8;
  const barMax = Math.max(40, width - barX - pctW);
  const max = Math.max(...bars.map((b) => b.importance)) || 1;
  const height = bars.length * BAR_ROW + 4;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="importance" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Parameter importance">`,
  ];
  bars.forEach((b, i) => {
    const y = i * BAR_ROW + 2;
    const w = Math.max(1, (b.importance / max) * barMax);
    const pct = `${(b.importance * 100).toFixed(1)}%`;
    const label = b.label.length > labelW / 6.5 ? `…${b.label.slice(b.label.length - Math.floor(labelW / 6.5) + 1)}` : b.label;
    parts.push(
      `<g class="imp-row${i === 0 ? ' imp-top' : ''}" data-param="${escapeXml(b.param)}"><title>${escapeXml(b.param)}: ${pct} of the variance of the objective</title>`,
    );
    parts.push(`<text class="imp-label" x="${labelW}" y="${y + 14}" text-anchor="end">${escapeXml(label)}</text>`);
    parts.push(`<rect class="imp-track" x="${barX}" y="${y + 3}" width="${barMax.toFixed(1)}" height="${BAR_ROW - 8}" rx="2"/>`);
    parts.push(`<rect class="imp-bar" x="${barX}" y="${y + 3}" width="${w.toFixed(1)}" height="${BAR_ROW - 8}" rx="2"/>`);
    parts.push(`<text class="imp-value" x="${barX + barMax + 6}" y="${y + 14}">${pct}</text>`);
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

/** About `n` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

function axisTitle(o: Objective): string {
  return `${objectiveLabel(o)} (${o.direction === 'maximize' ? 'higher' : 'lower'} is better)`;
}

export function paretoSvg(d: ParetoData, o: { width: number; height: number; selected?: number }): string {
  const { width, height } = o;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="pareto" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"`;
  if (d.objectives.length < 2 || !d.points.length)
    return `${head} aria-label="No completed trials yet"><text class="pareto-empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">No completed trials yet</text></svg>`;
  const [ox, oy] = d.objectives;
  const left = 72;
  const right = 16;
  const top = 12;
  const bottom = height - 40;
  const [x0, x1] = extent(d.points.map((p) => p.x));
  const [y0, y1] = extent(d.points.map((p) => p.y));
  const sx = (v: number) => left + ((v - x0) / (x1 - x0)) * (width - left - right);
  const sy = (v: number) => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
  const parts = [
    `${head} aria-label="${escapeXml(`Pareto front: ${objectiveLabel(ox)} against ${objectiveLabel(oy)}, ${d.front.length} of ${d.points.length} trials non-dominated`)}">`,
  ];
  // Grid and ticks.
  parts.push('<g class="pareto-axis">');
  for (const v of niceTicks(x0, x1)) {
    const x = sx(v).toFixed(1);
    parts.push(
      `<line class="pareto-grid" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/><text class="pareto-tick" x="${x}" y="${bottom + 14}" text-anchor="middle">${escapeXml(formatObjective(ox, v))}</text>`,
    );
  }
  for (const v of niceTicks(y0, y1)) {
    const y = sy(v).toFixed(1);
    parts.push(
      `<line class="pareto-grid" x1="${left}" y1="${y}" x2="${width - right}" y2="${y}"/><text class="pareto-tick" x="${left - 6}" y="${(sy(v) + 3).toFixed(1)}" text-anchor="end">${escapeXml(formatObjective(oy, v))}</text>`,
    );
  }
  parts.push(
    `<line class="pareto-frame" x1="${left}" y1="${bottom}" x2="${width - right}" y2="${bottom}"/><line class="pareto-frame" x1="${left}" y1="${top}" x2="${left}" y2="${bottom}"/>`,
  );
  parts.push(`<text class="pareto-title" x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(axisTitle(ox))}</text>`);
  parts.push(`<text class="pareto-title" transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(axisTitle(oy))}</text>`);
  parts.push('</g>');
  // The front, connected along x.
  if (d.front.length > 1)
    parts.push(`<path class="pareto-line" d="${d.front.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join('')}"/>`);
  // Dominated points first, then the front, then the selection, so the important ones stay on top.
  const rank = (p: ParetoData['points'][number]) => (p.trial === o.selected ? 2 : p.front ? 1 : 0);
  const ordered = [...d.points].sort((a, b) => rank(a) - rank(b) || a.trial - b.trial);
  for (const p of ordered) {
    const cls = `pareto-pt${p.front ? ' pareto-front' : ''}${p.trial === o.selected ? ' pareto-selected' : ''}`;
    const tip = `Trial #${p.trial}: ${d.objectives.map((ob, i) => `${objectiveLabel(ob)} ${formatObjective(ob, p.values[i])}`).join(', ')}${p.front ? ' (Pareto front)' : ''}`;
    parts.push(
      `<circle class="${cls}" data-trial="${p.trial}" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${p.front || p.trial === o.selected ? 5 : 3.5}"><title>${escapeXml(tip)}</title></circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
