// Shape errors must not hide behind other errors: a reversed range in one layer says nothing about a conv2d
// placed after a flatten three layers later. This makes a copy of the architecture the shape analysis can
// run on despite the errors found so far, changing only what those errors are about, and never guessing in a
// way that could invent a shape error: a field the analysis cannot trust ends the analysis before its layer.
import type { Diagnostic } from '../shared/diagnostic';
import type { NasSpec } from '../shared/spec';
import { parsePath, type JsonPath } from './json';
import { isParam } from './params';

/** Fields that cannot change a shape: any valid value gives the same shapes downstream. */
const SHAPE_FREE = new Set(['filters', 'units', 'depthMultiplier', 'activation', 'rate', 'useBias', 'name', 'momentum', 'epsilon']);
/** Channel counts: needed by the cost model, so a broken one becomes 1 rather than vanishing. */
const CHANNELS = new Set(['filters', 'units', 'depthMultiplier']);

type Obj = Record<string, unknown>;

export interface Analyzable {
  spec: NasSpec;
  /** True when nothing was changed: the analysis' costs are the space's costs. */
  exact: boolean;
}

/** The spec to analyse shapes on, or undefined when the architecture itself is unusable. */
export function analyzableSpec(spec: NasSpec, diagnostics: readonly Diagnostic[]): Analyzable | undefined {
  const errors = diagnostics.filter((d) => d.severity === 'error' && (d.path === 'architecture' || d.path.startsWith('architecture.')));
  if (errors.length === 0) return { spec, exact: true };
  const copy = JSON.parse(JSON.stringify(spec)) as NasSpec;
  const arch = copy.architecture as unknown as Obj;
  if (!arch || typeof arch !== 'object' || arch.type !== 'sequential' || !Array.isArray(arch.layers)) return undefined;
  /** Top-level layer index where the analysis must stop (the first layer it cannot trust). */
  let cut = (arch.layers as unknown[]).length;
  for (const d of errors) {
    const path = parsePath(d.path);
    const at = elementOf(path);
    if (!at) return undefined; // an error about the architecture as a whole
    const el = get(copy, at.element) as Obj | undefined;
    if (!el || typeof el !== 'object') return undefined;
    if (repair(el, at.field, d)) continue;
    cut = Math.min(cut, at.element[2] as number);
  }
  (arch.layers as unknown[]).length = cut;
  return { spec: copy, exact: false };
}

/** Mends `el` so the error `d` about its `field` no longer matters for shapes; false if it cannot. */
function repair(el: Obj, field: string | undefined, d: Diagnostic): boolean {
  if (d.code === 'missing-property') {
    const key = d.data?.key;
    if (typeof key !== 'string' || !SHAPE_FREE.has(key)) return false;
    if (CHANNELS.has(key)) el[key] = 1;
    return true;
  }
  if (field === undefined) return false;
  if (d.code === 'unknown-property') {
    delete el[field];
    return true;
  }
  const v = el[field];
  if (d.code === 'reversed-bounds' && isParam(v)) {
    // [8, 2] is almost always [2, 8] typed backwards: analyse the range the user meant.
    for (const k of ['int', 'float'] as const) {
      const r = (v as Obj)[k];
      if (Array.isArray(r) && r.length === 2) (v as Obj)[k] = [Math.min(r[0], r[1]), Math.max(r[0], r[1])];
    }
    return true;
  }
  if (!SHAPE_FREE.has(field)) return false;
  if (CHANNELS.has(field)) el[field] = 1;
  else delete el[field];
  return true;
}

/** The layer element a path points into (`architecture.layers[i]...`, possibly nested) and the field under it. */
function elementOf(path: JsonPath): { element: JsonPath; field?: string } | undefined {
  let last = -1;
  for (let i = 2; i < path.length; i++) {
    if (typeof path[i] === 'number' && (path[i - 1] === 'layers' || path[i - 1] === 'options')) last = i;
  }
  if (last < 0 || path[1] !== 'layers') return undefined;
  const field = path[last + 1];
  return { element: path.slice(0, last + 1), field: typeof field === 'string' ? field : undefined };
}

function get(v: unknown, path: JsonPath): unknown {
  let cur = v;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
