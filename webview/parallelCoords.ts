// Parallel coordinates of every sampled parameter against the objective, as an SVG string. Pure so it can be
// tested and so the view only swaps markup. Lines are merged into one <path> per class (top, rest, pruned,
// selected) rather than one element per trial: 5,000 trials stay a handful of DOM nodes. Colours come from
// CSS classes (panel.css) because the CSP forbids inline style attributes and the theme can change.
import type { ParamValue } from '../src/shared/arch';
import type { Direction } from '../src/shared/events';
import { escapeXml, formatParam, formatValue } from './format';
import { paramLabel } from '../src/core/paramLabel';

export interface PcTrial {
  trial: number;
  params: Record<string, ParamValue>;
  value: number;
  pruned: boolean;
}

export interface Axis {
  key: string;
  label: string;
  kind: 'linear' | 'log' | 'category';
  /** Category axes: the values in axis order. */
  categories?: string[];
  min: number;
  max: number;
  /** Values to label on the axis. */
  ticks: { at: number; label: string }[];
}

const OBJECTIVE = '\u0000objective';

function numericAxis(key: string, label: string, values: number[], allowLog: boolean): Axis {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) min = max = 0;
  // Learning rates span decades: on a linear axis every value but the largest sits on the floor.
  const log = allowLog && min > 0 && max / min >= 20;
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  let ticks: Axis['ticks'];
  if (distinct.length <= 6 && distinct.every(Number.isInteger)) ticks = distinct.map((v) => ({ at: v, label: String(v) }));
  else if (log) {
    // The ends, and the decades between them that are not crowding an end.
    ticks = [{ at: min, label: formatValue(min) }];
    for (let e = Math.ceil(Math.log10(min)); 10 ** e < max; e++) {
      const v = 10 ** e;
      if (Math.log(v / min) > (0.25 * Math.log(max / min)) / 2 && Math.log(max / v) > (0.25 * Math.log(max / min)) / 2)
        ticks.push({ at: v, label: formatValue(v) });
    }
    ticks.push({ at: max, label: formatValue(max) });
  } else
    ticks =
      min === max
        ? [{ at: min, label: formatValue(min) }]
        : [
            { at: min, label: formatValue(min) },
            { at: max, label: formatValue(max) },
          ];
  return { key, label, kind: log ? 'log' : 'linear', min, max, ticks };
}

/** One axis per parameter that varies (a constant carries no information), in first-seen order, then the objective. */
export function buildAxes(trials: readonly PcTrial[], objectiveLabel: string, labelOf: (key: string) => string = paramLabel): Axis[] {
  const seen = new Map<string, ParamValue[]>();
  for (const t of trials) for (const [k, v] of Object.entries(t.params)) (seen.get(k) ?? seen.set(k, []).get(k)!).push(v);
  const axes: Axis[] = [];
  for (const [key, values] of seen) {
    const label = labelOf(key);
    if (values.every((v) => typeof v === 'number')) {
      const nums = values as number[];
      if (new Set(nums).size < 2) continue;
      axes.push(numericAxis(key, label, nums, true));
    } else {
      const cats = [...new Set(values.map((v) => formatParam(v)))].sort();
      if (cats.length < 2) continue;
      axes.push({ key, label, kind: 'category', categories: cats, min: 0, max: cats.length - 1, ticks: cats.map((c, i) => ({ at: i, label: c })) });
    }
  }
  axes.push(
    numericAxis(
      OBJECTIVE,
      objectiveLabel,
      trials.map((t) => t.value),
      false,
    ),
  );
  return axes;
}

/** Where a value sits on an axis, 0 (bottom) to 1 (top); undefined when the trial has no such parameter. */
export function position(axis: Axis, v: ParamValue | undefined, direction: Direction = 'maximize'): number | undefined {
  if (v === undefined) return undefined;
  let f: number;
  if (axis.kind === 'category') {
    const i = axis.categories!.indexOf(formatParam(v));
    if (i < 0) return undefined;
    f = axis.max === 0 ? 0.5 : i / axis.max;
  } else {
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    if (axis.max === axis.min) f = 0.5;
    else if (axis.kind === 'log') f = (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
    else f = (v - axis.min) / (axis.max - axis.min);
  }
  // The objective axis puts the best at the top whatever the direction, so good lines read the same way.
  if (axis.key === OBJECTIVE && direction === 'minimize') f = 1 - f;
  return f;
}

export interface PcOptions {
  width: number;
  height: number;
  direction: Direction;
  objectiveLabel: string;
  selected?: number;
  /** Readable names of parameter keys (format.ts paramLabeler); by default without element types. */
  labelOf?: (key: string) => string;
}

/** The completed trials drawn as "top": the ones a reader compares with the rest; few enough to follow. */
const TOP_SHARE = 0.1;
const TOP_MAX = 25;
/** Past this many lines the dim ones fade further, or they merge into one solid block. */
const DENSE = 300;

export function parallelCoordsSvg(trials: readonly PcTrial[], o: PcOptions): string {
  const { width, height } = o;
  if (!trials.length)
    return `<svg xmlns="http://www.w3.org/2000/svg" class="pc" width="${width}" height="${height}" role="img" aria-label="No finished trials yet"><text class="pc-empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">No finished trials yet</text></svg>`;
  const axes = buildAxes(trials, o.objectiveLabel, o.labelOf);
  const padX = 60;
  const top = 34;
  const bottom = height - 24;
  const step = axes.length > 1 ? (width - 2 * padX) / (axes.length - 1) : 0;
  const xs = axes.map((_, i) => (axes.length > 1 ? padX + i * step : width / 2));
  const y = (f: number) => bottom - f * (bottom - top);

  const sign = o.direction === 'maximize' ? 1 : -1;
  const completed = trials.filter((t) => !t.pruned).sort((a, b) => sign * (b.value - a.value));
  const topSet = new Set(completed.slice(0, Math.min(TOP_MAX, Math.max(1, Math.ceil(completed.length * TOP_SHARE)))).map((t) => t.trial));

  const paths: Record<'rest' | 'pruned' | 'top' | 'selected', string[]> = { rest: [], pruned: [], top: [], selected: [] };
  for (const t of trials) {
    let d = '';
    axes.forEach((a, i) => {
      const f = position(a, a.key === OBJECTIVE ? t.value : t.params[a.key], o.direction);
      if (f === undefined) return; // a conditional parameter this trial never sampled: the line skips the axis
      d += `${d ? 'L' : 'M'}${xs[i].toFixed(1)} ${y(f).toFixed(1)}`;
    });
    const cls = t.trial === o.selected ? 'selected' : t.pruned ? 'pruned' : topSet.has(t.trial) ? 'top' : 'rest';
    paths[cls].push(d);
  }

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="pc${trials.length > DENSE ? ' pc-dense' : ''}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Parallel coordinates of ${axes.length - 1} parameters against ${escapeXml(o.objectiveLabel)}">`,
  );
  // Drawn back to front: the many dim lines first so the top trials and the selection stay visible.
  for (const cls of ['rest', 'pruned', 'top', 'selected'] as const)
    if (paths[cls].length) parts.push(`<path class="pc-line pc-${cls}" d="${paths[cls].join('')}"/>`);
  axes.forEach((a, i) => {
    const x = xs[i];
    const isObjective = a.key === OBJECTIVE;
    parts.push(`<g class="pc-axis${isObjective ? ' pc-objective' : ''}"><title>${escapeXml(isObjective ? o.objectiveLabel : a.key)}</title>`);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/>`);
    // Alternate label rows so neighbouring long names do not overprint on narrow panels.
    parts.push(
      `<text class="pc-label" x="${x}" y="${i % 2 ? 12 : 24}" text-anchor="middle">${escapeXml(truncate(a.label, Math.max(8, Math.floor(step / 6))))}</text>`,
    );
    for (const tick of a.ticks) {
      const f = position(a, a.kind === 'category' ? a.categories![tick.at] : tick.at, o.direction);
      if (f === undefined) continue;
      parts.push(`<text class="pc-tick" x="${x + 4}" y="${(y(f) + 3).toFixed(1)}">${escapeXml(tick.label)}</text>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}
