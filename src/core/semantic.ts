// Checks no schema can express: the bounds of each parameter, and whether the chosen strategy can use it.
import type { Diagnostic } from '../shared/diagnostic';
import { MAX_REPEAT } from './defaults';
import { counted, LISTED_SAME, MAX_SAME } from './findingLimits';
import { formatPath, keyRange, valueRange, type JsonPath, type ParsedDoc } from './json';
import { PARAM_KEYS } from './params';

type Finding = Omit<Diagnostic, 'range'> & { at: JsonPath; atKey?: boolean };

/** Visits every parameter object in the document: anything with `choice`, `int` or `float`. */
export function forEachParam(value: unknown, visit: (p: Record<string, unknown>, path: JsonPath) => void, path: JsonPath = []): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => forEachParam(v, visit, [...path, i]));
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (PARAM_KEYS.some((k) => Array.isArray(obj[k]))) visit(obj, path);
    for (const [k, v] of Object.entries(obj)) if (!PARAM_KEYS.includes(k)) forEachParam(v, visit, [...path, k]);
  }
}

export function checkParams(doc: ParsedDoc): Diagnostic[] {
  const out: Finding[] = [];
  checkLimits(doc.value, [], out);
  const arch = (doc.value as { architecture?: { layers?: unknown } } | undefined)?.architecture;
  if (arch && typeof arch === 'object') checkUnrolled(arch.layers, out);
  forEachParam(doc.value, (p, path) => {
    const kind = Array.isArray(p.int) ? 'int' : Array.isArray(p.float) ? 'float' : undefined;
    if (kind) {
      const bounds = p[kind] as unknown[];
      if (bounds.length !== 2 || !bounds.every((b) => typeof b === 'number')) return; // the schema reports it
      const [lo, hi] = bounds as number[];
      const at = [...path, kind];
      const where = formatPath(path);
      if (lo > hi) {
        out.push({
          severity: 'error',
          code: 'reversed-bounds',
          path: where,
          at,
          message: `the lower bound ${lo} is greater than the upper bound ${hi}`,
          data: { lo, hi },
        });
        return;
      }
      if (lo === hi)
        out.push({
          severity: 'warning',
          code: 'empty-range',
          path: where,
          at,
          message: `the range [${lo}, ${hi}] holds one value: write ${lo} instead of a parameter`,
          data: { lo },
        });
      if (p.log === true && lo <= 0) {
        out.push({
          severity: 'error',
          code: 'log-bounds',
          path: where,
          at: [...path, 'log'],
          atKey: true,
          message: `a log-scale range needs positive bounds, but the lower bound is ${lo}`,
        });
      }
      if (typeof p.step === 'number' && p.step > 0 && hi > lo) {
        const span = hi - lo;
        const ratio = span / p.step;
        if (p.step > span) {
          out.push({
            severity: 'error',
            code: 'step',
            path: where,
            at: [...path, 'step'],
            message: `step ${p.step} is larger than the range ${lo}..${hi}: only ${lo} would ever be tried`,
          });
        } else if (Math.abs(ratio - Math.round(ratio)) > 1e-9 * Math.max(1, ratio)) {
          const last = lo + Math.floor(ratio) * p.step;
          out.push({
            severity: 'error',
            code: 'step',
            path: where,
            at: [...path, 'step'],
            message: `step ${p.step} does not divide the range ${lo}..${hi}: the values would stop at ${Number(last.toPrecision(12))} and never reach ${hi}`,
          });
        }
      }
    } else if (Array.isArray(p.choice)) {
      const seen = new Set<string>();
      const twice: Finding[] = [];
      (p.choice as unknown[]).forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) {
          twice.push({
            severity: 'warning',
            code: 'schema',
            path: formatPath([...path, 'choice', i]),
            at: [...path, 'choice', i],
            message: `${key} is listed twice; duplicates skew random sampling toward it`,
          });
        }
        seen.add(key);
      });
      // Many duplicates are one finding, and only the listed few are located (300,000 took seconds).
      if (twice.length <= MAX_SAME) for (const f of twice) out.push(f);
      else {
        const listed = twice.slice(1, 1 + LISTED_SAME).map((f) => toDiag(doc, f));
        const first = counted(toDiag(doc, twice[0]), listed, twice.length - 1);
        out.push({ ...first, at: twice[0].at });
      }
    }
  });
  return out.map((f) => toDiag(doc, f));
}

/**
 * Practical limits on sizes. Past them a spec is a typo (3000000000 stages), and both the analysis and the
 * builder would unroll it for ever, so the checker stops it here, for fixed values and parameter bounds alike.
 */
export const LIMITS: Record<string, number> = {
  repeat: MAX_REPEAT,
  stages: 8,
  cells: 32,
  channels: 4096,
  filters: 16384,
  units: 1_000_000,
  kernelSize: 64,
  poolSize: 64,
  strides: 64,
  depthMultiplier: 64,
  batchSize: 1_000_000,
  epochs: 10_000,
};

function numbersIn(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const p = v as { int?: unknown; float?: unknown; choice?: unknown };
    const list = Array.isArray(p.int) ? p.int : Array.isArray(p.float) ? p.float : Array.isArray(p.choice) ? p.choice : [];
    return (list as unknown[]).filter((n): n is number => typeof n === 'number');
  }
  return [];
}

function checkLimits(value: unknown, path: JsonPath, out: Finding[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => checkLimits(v, [...path, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const limit = LIMITS[k];
      const nums = limit === undefined || path[0] === 'dataset' ? [] : numbersIn(v);
      // Not Math.max(...nums): a choice of 300,000 values overflowed the stack as arguments.
      const max = nums.reduce((m, n) => Math.max(m, n), -Infinity);
      if (max > limit) {
        out.push({
          severity: 'error',
          code: 'size',
          path: formatPath([...path, k]),
          at: [...path, k],
          message: `${k} ${max} is beyond what NAS Studio supports (at most ${limit})`,
        });
      } else checkLimits(v, [...path, k], out);
    }
  }
}

/**
 * The most layers a network of the space has once its blocks are unrolled. The shape analysis walks every copy
 * of every block and the builder makes every layer, so twenty nested blocks of `repeat: {int: [1, 2]}` (a
 * million layers) kept the checker busy for minutes; no network NAS Studio can train on a CPU comes close.
 */
export const MAX_LAYERS = 4096;

function checkUnrolled(layers: unknown, out: Finding[]): void {
  let reported = false;
  const count = (els: unknown, path: JsonPath): number => {
    if (!Array.isArray(els)) return 0;
    let total = 0;
    els.forEach((el, i) => (total += one(el, [...path, i])));
    return total;
  };
  const one = (el: unknown, path: JsonPath): number => {
    if (!el || typeof el !== 'object') return 1;
    const e = el as Record<string, unknown>;
    if (e.type === 'choice') return Array.isArray(e.options) ? e.options.reduce((m: number, o, k) => Math.max(m, one(o, [...path, 'options', k])), 0) : 1;
    if (e.type !== 'block') return 1;
    const body = count(e.layers, [...path, 'layers']);
    const repeat = numbersIn(e.repeat).reduce((m, r) => Math.max(m, r), e.repeat === undefined ? 1 : 0);
    const n = body * repeat;
    if (n > MAX_LAYERS && body <= MAX_LAYERS && !reported) {
      reported = true;
      out.push({
        severity: 'error',
        code: 'size',
        path: formatPath(path),
        at: e.repeat !== undefined ? [...path, 'repeat'] : path,
        atKey: e.repeat !== undefined,
        message: `this block unrolls to as many as ${n.toLocaleString('en-US')} layers (${repeat} copies of ${body.toLocaleString('en-US')}); NAS Studio builds networks of at most ${MAX_LAYERS.toLocaleString('en-US')} layers`,
      });
    }
    return n;
  };
  const total = count(layers, ['architecture', 'layers']);
  if (total > MAX_LAYERS && !reported) {
    out.push({
      severity: 'error',
      code: 'size',
      path: 'architecture.layers',
      at: ['architecture', 'layers'],
      atKey: true,
      message: `a network of this space has as many as ${total.toLocaleString('en-US')} layers; NAS Studio builds networks of at most ${MAX_LAYERS.toLocaleString('en-US')} layers`,
    });
  }
}

export function toDiag(doc: ParsedDoc, f: Finding): Diagnostic {
  const { at, atKey, ...rest } = f;
  return { ...rest, range: atKey ? keyRange(doc, at) : valueRange(doc, at) };
}
