// Parameter importance at the end of a run: fANOVA (Hutter et al. 2014) on a random-forest surrogate of the
// objective. Each configuration is encoded on the unit cube (one axis per parameter); a random forest of
// regression trees is fitted to the observed values; for every tree, the variance of its function over the
// cube is decomposed exactly, and the main effect of a parameter is the variance of the tree's marginal along
// that axis. Importances are these main effects averaged over the trees, normalised to sum to 1.
//
// Encoding: a categorical decision with K values puts value k in the k-th of K equal slots; a number its
// position on its (log) range. A parameter that a configuration does not have (a repetition that was not made,
// an option not chosen) sits in a slot of its own at the bottom of the axis, a tenth of it wide.
import type { ParamValue, TrialConfig } from '../shared/arch';
import { finiteValues, type ParamDef } from './params';
import { Rng } from './rng';
import { numericScale } from './strategies/tpe';

export interface ImportanceOptions {
  trees?: number;
  maxDepth?: number;
  minLeaf?: number;
  seed?: number;
}

export interface Importance {
  param: string;
  label?: string;
  importance: number;
}

const INACTIVE = 0.05;
const ACTIVE_FROM = 0.1;

/** A configuration's position on the unit cube of the parameters. */
export function encode(params: readonly ParamDef[], config: TrialConfig): number[] {
  return params.map((p) => encodeValue(p, config.params[p.name]));
}

function encodeValue(p: ParamDef, v: ParamValue | undefined): number {
  if (v === undefined) return INACTIVE;
  let u: number;
  const d = p.domain;
  if (d.kind === 'choice' || d.kind === 'bool') {
    const values = finiteValues(d)!;
    const k = Math.max(0, values.indexOf(v));
    u = (k + 0.5) / values.length;
  } else {
    const s = numericScale(d);
    u = s.hi > s.lo && typeof v === 'number' ? Math.min(1, Math.max(0, (s.to(v) - s.lo) / (s.hi - s.lo))) : 0.5;
  }
  return ACTIVE_FROM + (1 - ACTIVE_FROM) * u;
}

interface Leaf {
  lo: number[];
  hi: number[];
  value: number;
}

/** Regression tree on [0, 1]^d, grown on a bootstrap sample with random feature subsets; returns its leaves. */
function growTree(x: number[][], y: number[], idx: number[], rng: Rng, opts: Required<ImportanceOptions>): Leaf[] {
  const d = x[0].length;
  const leaves: Leaf[] = [];
  const tryFeatures = Math.max(1, Math.ceil((5 * d) / 6));
  const grow = (rows: number[], lo: number[], hi: number[], depth: number) => {
    const mean = rows.reduce((a, i) => a + y[i], 0) / rows.length;
    let best: { f: number; t: number; gain: number } | undefined;
    if (depth < opts.maxDepth && rows.length >= 2 * opts.minLeaf) {
      const sse = rows.reduce((a, i) => a + (y[i] - mean) ** 2, 0);
      if (sse > 1e-12) {
        const features = rng.shuffle([...Array(d).keys()]).slice(0, tryFeatures);
        for (const f of features) {
          const sorted = [...rows].sort((a, b) => x[a][f] - x[b][f]);
          // Running sums give each threshold's SSE in one pass.
          let sumL = 0;
          let sqL = 0;
          const total = sorted.reduce((a, i) => a + y[i], 0);
          const totalSq = sorted.reduce((a, i) => a + y[i] * y[i], 0);
          for (let k = 0; k < sorted.length - 1; k++) {
            const yi = y[sorted[k]];
            sumL += yi;
            sqL += yi * yi;
            const nL = k + 1;
            const nR = sorted.length - nL;
            const a = x[sorted[k]][f];
            const b = x[sorted[k + 1]][f];
            if (b <= a || nL < opts.minLeaf || nR < opts.minLeaf) continue;
            const sseL = sqL - (sumL * sumL) / nL;
            const sumR = total - sumL;
            const sseR = totalSq - sqL - (sumR * sumR) / nR;
            const gain = sse - sseL - sseR;
            if (!best || gain > best.gain) best = { f, t: (a + b) / 2, gain };
          }
        }
      }
    }
    if (!best || best.gain <= 1e-12) {
      leaves.push({ lo: [...lo], hi: [...hi], value: mean });
      return;
    }
    const left = rows.filter((i) => x[i][best!.f] <= best!.t);
    const right = rows.filter((i) => x[i][best!.f] > best!.t);
    const hiL = [...hi];
    hiL[best.f] = best.t;
    const loR = [...lo];
    loR[best.f] = best.t;
    grow(left, lo, hiL, depth + 1);
    grow(right, loR, hi, depth + 1);
  };
  grow(idx, new Array(d).fill(0), new Array(d).fill(1), 0);
  return leaves;
}

/** The main effect (variance of the marginal along each axis) of one tree, as fractions of its variance. */
export function treeMainEffects(leaves: readonly Leaf[], d: number): { total: number; effects: number[] } {
  const vol = leaves.map((l) => l.lo.reduce((a, lo, j) => a * (l.hi[j] - lo), 1));
  const f0 = leaves.reduce((a, l, k) => a + vol[k] * l.value, 0);
  const total = leaves.reduce((a, l, k) => a + vol[k] * (l.value - f0) ** 2, 0);
  const effects = new Array<number>(d).fill(0);
  if (total <= 0) return { total, effects };
  for (let j = 0; j < d; j++) {
    const cuts = [...new Set(leaves.flatMap((l) => [l.lo[j], l.hi[j]]))].sort((a, b) => a - b);
    let v = 0;
    for (let s = 0; s < cuts.length - 1; s++) {
      const a = cuts[s];
      const b = cuts[s + 1];
      const m = (a + b) / 2;
      let f = 0;
      leaves.forEach((l, k) => {
        if (l.lo[j] <= m && m < l.hi[j]) f += (l.value * vol[k]) / (l.hi[j] - l.lo[j]);
      });
      v += (b - a) * (f - f0) ** 2;
    }
    effects[j] = v / total;
  }
  return { total, effects };
}

/**
 * Importance of each parameter for the objective `values` (any scale; NaN and infinite values are dropped),
 * most important first. Undefined with fewer than 4 usable observations or no varying parameter.
 */
export function parameterImportance(
  params: readonly ParamDef[],
  configs: readonly TrialConfig[],
  values: readonly number[],
  options: ImportanceOptions = {},
): Importance[] | undefined {
  const opts: Required<ImportanceOptions> = { trees: 32, maxDepth: 8, minLeaf: 2, seed: 0, ...options };
  const rows = configs.map((c, i) => ({ x: encode(params, c), y: values[i] })).filter((r) => Number.isFinite(r.y));
  if (rows.length < 4 || params.length === 0) return undefined;
  const x = rows.map((r) => r.x);
  const y = rows.map((r) => r.y);
  const varying = params.map((_, j) => new Set(x.map((r) => r[j])).size > 1);
  if (!varying.some(Boolean)) return undefined;
  const rng = new Rng(opts.seed);
  const sums = new Array<number>(params.length).fill(0);
  let used = 0;
  for (let t = 0; t < opts.trees; t++) {
    const idx = Array.from({ length: rows.length }, () => rng.int(rows.length));
    const { total, effects } = treeMainEffects(growTree(x, y, idx, rng, opts), params.length);
    if (total <= 0) continue;
    used++;
    effects.forEach((e, j) => (sums[j] += e));
  }
  if (!used) return params.map((p) => ({ param: p.name, ...(p.label ? { label: p.label } : {}), importance: 0 }));
  const total = sums.reduce((a, b) => a + b, 0);
  return params
    .map((p, j) => ({ param: p.name, ...(p.label ? { label: p.label } : {}), importance: total > 0 ? sums[j] / total : 0 }))
    .sort((a, b) => b.importance - a.importance || a.param.localeCompare(b.param));
}
