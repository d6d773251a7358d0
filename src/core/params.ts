// Parameters: the fields of a spec that the search decides. A field is a parameter when its value is an
// object with `choice`, `int` or `float`; everything else is fixed.
import type { ParamValue } from '../shared/arch';
import type { Rng } from './rng';

export type Domain =
  | { kind: 'choice'; values: ParamValue[] }
  | { kind: 'int'; lo: number; hi: number; step: number; log: boolean }
  | { kind: 'float'; lo: number; hi: number; step?: number; log: boolean }
  | { kind: 'bool' };

/** Why a parameter exists: a field value, a layer alternative, an optional layer, a repeat count, a cell edge. */
export type ParamRole = 'value' | 'option' | 'optional' | 'repeat' | 'edge';

export interface ParamDef {
  /** Unique key: the JSON path, with `@k` after a block for its k-th repetition. */
  name: string;
  /** The user's `name` for it, if any. */
  label?: string;
  /** Path to the field in the spec (no repetition marks), for ranges and "reveal in spec". */
  path: (string | number)[];
  domain: Domain;
  role: ParamRole;
  /** For `option` parameters: the type of each alternative. */
  optionLabels?: string[];
}

export type RawParam =
  | { choice: unknown[]; name?: string }
  | { int: number[]; step?: number; log?: boolean; name?: string }
  | { float: number[]; step?: number; log?: boolean; name?: string };

/** The keys that make an object a parameter. */
export const PARAM_KEYS: readonly string[] = ['choice', 'int', 'float'];

export function isParam(v: unknown): v is RawParam {
  return !!v && typeof v === 'object' && !Array.isArray(v) && PARAM_KEYS.some((k) => k in v);
}

export function domainOf(p: RawParam): Domain {
  if ('choice' in p) return { kind: 'choice', values: p.choice as ParamValue[] };
  if ('int' in p) return { kind: 'int', lo: p.int[0], hi: p.int[1], step: p.step ?? 1, log: !!p.log };
  return { kind: 'float', lo: p.float[0], hi: p.float[1], step: p.step, log: !!p.log };
}

export function isFinite(d: Domain): boolean {
  return d.kind !== 'float' || d.step !== undefined;
}

/** Every value of a finite domain, in order; undefined for a continuous one. */
export function finiteValues(d: Domain): ParamValue[] | undefined {
  switch (d.kind) {
    case 'choice':
      return d.values;
    case 'bool':
      return [false, true];
    case 'int': {
      const out: number[] = [];
      for (let v = d.lo; v <= d.hi; v += d.step) out.push(v);
      return out;
    }
    case 'float': {
      if (d.step === undefined) return undefined;
      const n = Math.floor((d.hi - d.lo) / d.step + 1e-9);
      return Array.from({ length: n + 1 }, (_, i) => roundFloat(d.lo + i * d.step!));
    }
  }
}

/**
 * Up to `max` representative values of a domain: all of them when there are few, else evenly spaced ones
 * including both ends. Analysis uses this so a range such as [1, 1e9] cannot make it enumerate forever.
 */
export function boundedValues(d: Domain, max = 64): ParamValue[] {
  if (d.kind === 'choice' || d.kind === 'bool') return finiteValues(d)!;
  if (d.kind === 'float' && d.step === undefined) return [d.lo, d.hi];
  const n = Number(domainSize(d));
  if (n <= max) return finiteValues(d)!;
  const step = d.step ?? 1;
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(d.lo + Math.round((k * (n - 1)) / (max - 1)) * step);
  return [...out];
}

/** Smallest and largest numeric value of a domain (NaN when it holds no numbers). */
export function numericExtremes(d: Domain): [number, number] {
  if (d.kind === 'int' || d.kind === 'float') return [d.lo, d.hi];
  const nums = (d.kind === 'choice' ? d.values : []).filter((v): v is number => typeof v === 'number');
  // A loop, not Math.min(...nums): a choice of 300,000 values overflowed the stack as arguments.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of nums) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return nums.length ? [lo, hi] : [NaN, NaN];
}

export function domainSize(d: Domain): bigint | undefined {
  switch (d.kind) {
    case 'choice':
      return BigInt(d.values.length);
    case 'bool':
      return 2n;
    case 'int':
      return BigInt(Math.floor((d.hi - d.lo) / d.step) + 1);
    case 'float':
      return d.step === undefined ? undefined : BigInt(Math.floor((d.hi - d.lo) / d.step + 1e-9) + 1);
  }
}

function roundFloat(v: number): number {
  return Number(v.toPrecision(12));
}

/** A uniform draw (log-uniform where asked), snapped to the step grid. */
export function sampleValue(d: Domain, rng: Rng): ParamValue {
  switch (d.kind) {
    case 'choice':
      return d.values[rng.int(d.values.length)];
    case 'bool':
      return rng.next() < 0.5;
    case 'int': {
      if (d.log && d.lo > 0) {
        const v = Math.exp(Math.log(d.lo) + rng.next() * (Math.log(d.hi + 1) - Math.log(d.lo)));
        return snapInt(d, Math.floor(v));
      }
      const n = Math.floor((d.hi - d.lo) / d.step) + 1;
      return d.lo + rng.int(n) * d.step;
    }
    case 'float': {
      const u = rng.next();
      const v = d.log && d.lo > 0 ? Math.exp(Math.log(d.lo) + u * (Math.log(d.hi) - Math.log(d.lo))) : d.lo + u * (d.hi - d.lo);
      return d.step === undefined ? v : snapFloat(d, v);
    }
  }
}

export function snapInt(d: Extract<Domain, { kind: 'int' }>, v: number): number {
  const k = Math.round((Math.min(Math.max(v, d.lo), d.hi) - d.lo) / d.step);
  return Math.min(d.lo + k * d.step, d.hi);
}

function snapFloat(d: Extract<Domain, { kind: 'float' }>, v: number): number {
  const k = Math.round((v - d.lo) / d.step!);
  return roundFloat(Math.min(d.lo + k * d.step!, d.hi));
}

export function inDomain(d: Domain, v: ParamValue): boolean {
  switch (d.kind) {
    case 'choice':
      return d.values.some((x) => x === v);
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= d.lo && v <= d.hi && (v - d.lo) % d.step === 0;
    case 'float':
      return typeof v === 'number' && v >= d.lo && v <= d.hi;
  }
}

export function describeDomain(d: Domain): string {
  switch (d.kind) {
    case 'choice':
      return `one of ${d.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'bool':
      return 'present or absent';
    case 'int':
      return `an integer in [${d.lo}, ${d.hi}]${d.step > 1 ? ` step ${d.step}` : ''}${d.log ? ' (log scale)' : ''}`;
    case 'float':
      return `a number in [${d.lo}, ${d.hi}]${d.step ? ` step ${d.step}` : ''}${d.log ? ' (log scale)' : ''}`;
  }
}
