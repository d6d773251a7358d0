// Schema validation with ajv, turned into one readable finding per real problem. ajv reports every failed
// branch of an anyOf (a number *or* a parameter object); only the branch that fits the value's shape is kept.
import * as crypto from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import editorKeywords from '../../schemas/editor-keywords.json';
import schema from '../../schemas/nas.schema.json';
import type { Diagnostic } from '../shared/diagnostic';
import { linearErrors } from './ajvLinearErrors.cjs';
import { counted, LISTED_SAME, MAX_SAME } from './findingLimits';
import { formatPath, keyRange, valueRange, type JsonPath, type ParsedDoc } from './json';
import { closest } from './text';
import { PARAM_KEYS } from './params';

/** Keywords VS Code understands that ajv does not need (shared with scripts/gen-validator.mjs). */
const EDITOR_KEYWORDS: string[] = editorKeywords;

let validator: ValidateFunction | undefined;

/** The validator compiled at build time (scripts/gen-validator.mjs), if it was made from this very schema. */
export function prebuilt(): ValidateFunction | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gen = require('./generated/nas-validate') as { default: ValidateFunction; schemaHash: string };
    return gen.schemaHash === crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex') ? gen.default : undefined;
  } catch {
    return undefined;
  }
}

export function schemaValidator(): ValidateFunction {
  if (!validator) {
    validator = prebuilt() ?? compileValidator();
  }
  return validator;
}

/** Compiles the schema now (a few hundred milliseconds). Same options and the same linear error gathering as
 *  scripts/gen-validator.mjs: a test compares both validators' findings on every fixture. */
export function compileValidator(): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true,
    discriminator: true,
    verbose: true,
    strict: true,
    code: { process: (code) => linearErrors(code).code },
  });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  return ajv.compile(schema);
}

export { schema };

export function validateSchema(doc: ParsedDoc): Diagnostic[] {
  const validate = schemaValidator();
  if (validate(doc.value)) return [];
  const errors = simplify(validate.errors ?? []);
  // The same failure of the same schema rule at many places (10,000 choice values of the wrong type, 10,000
  // unknown keys) is one finding with a count, as core/findingLimits.ts does for all findings; done here too
  // because a schema rule's findings are alike even where their paths are not (each unknown key's own name).
  const groups = new Map<string, ErrorObject[]>();
  const groupOf = errors.map((e) => {
    const key = `${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/#')}|${e.schemaPath}`;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
    return groups.get(key)!;
  });
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  errors.forEach((e, i) => {
    const g = groupOf[i];
    if (g.length > MAX_SAME && g[0] !== e) return;
    let d = toDiagnostic(e, doc);
    // Only the listed few are located: locating 10,000 keys of one object took seconds.
    if (g.length > MAX_SAME)
      d = counted(
        d,
        g.slice(1, 1 + LISTED_SAME).map((o) => toDiagnostic(o, doc)),
        g.length - 1,
      );
    const key = `${d.path}|${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  });
  return out;
}

function pointerToPath(pointer: string, data: unknown): JsonPath {
  if (!pointer) return [];
  const path: JsonPath = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      path.push(i);
      cur = cur[i];
    } else {
      path.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

/**
 * Errors at a path or under it, found by binary search over the sorted paths: a hostile spec with thousands of
 * bad items makes thousands of combinator errors, and scanning every error for each of them took minutes.
 */
function pathIndex(errors: readonly ErrorObject[]): (at: string) => ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath);
    if (list) list.push(e);
    else byPath.set(e.instancePath, [e]);
  }
  const paths = [...byPath.keys()].sort();
  const lowerBound = (key: string) => {
    let lo = 0;
    let hi = paths.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (paths[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (at) => {
    // Descendants are exactly the paths that start with `at/`: those sort in [at + '/', at + '0'), '0' being the
    // character after '/'.
    const out = [...(byPath.get(at) ?? [])];
    for (let i = lowerBound(at + '/'), end = lowerBound(at + '0'); i < end; i++) for (const e of byPath.get(paths[i])!) out.push(e);
    return out;
  };
}

/** Drops the noise of anyOf/oneOf/discriminator branches that do not fit the value. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const kept = new Set(errors);
  // An error dropped and then put back goes last, as it did when this was done on an array.
  const readded: ErrorObject[] = [];
  const underAt = pathIndex(errors);
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  for (const comb of combinators) {
    const at = comb.instancePath;
    const value = comb.data;
    const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
    const paramKey = isObj ? PARAM_KEYS.find((k) => k in (value as object)) : undefined;
    const subtree = underAt(at);
    const related = subtree.filter((e) => e !== comb && kept.has(e));
    const here = related.filter((e) => e.instancePath === at);
    for (const e of here) {
      // A branch of a different JSON type complains about the type: the value clearly was not meant for it.
      let drop = false;
      if (e.keyword === 'type' && here.some((o) => o.keyword !== 'type')) drop = true;
      if (e.keyword === 'type' && isObj && e.params.type !== 'object') drop = true;
      if (!isObj && e.keyword !== 'type' && (e.keyword === 'required' || e.keyword === 'additionalProperties')) drop = true;
      if (paramKey && e.keyword === 'required' && PARAM_KEYS.includes(e.params.missingProperty) && e.params.missingProperty !== paramKey) drop = true;
      if (paramKey && e.keyword === 'additionalProperties' && PARAM_KEYS.includes(e.params.additionalProperty)) drop = true;
      if (e.keyword === 'const' && here.some((o) => o.keyword === 'const' && o !== e)) drop = true;
      if (drop) kept.delete(e);
    }
    const remaining = related.filter((e) => kept.has(e));
    // Every branch rejected the value's JSON type: one message naming what would fit beats one per branch.
    if (remaining.length > 1 && remaining.every((e) => e.instancePath === at && e.keyword === 'type')) {
      for (const e of remaining) kept.delete(e);
      comb.message = `${describeAlternatives(comb)}, not ${TYPE_WORDS[jsonType(value)] ?? jsonType(value)}`;
    } else if (remaining.length > 0) {
      kept.delete(comb);
    } else {
      comb.message = describeAlternatives(comb);
    }
    // A value that is an object without any parameter key gets one clear message instead of three.
    if (isObj && !paramKey && hasParamBranch(comb)) {
      for (const e of subtree) if (e !== comb) kept.delete(e);
      comb.message = `expected ${describeAlternatives(comb).replace(/^must be /, '')}; an object here must be a parameter with 'choice', 'int' or 'float'`;
      if (!kept.has(comb)) {
        kept.add(comb);
        readded.push(comb);
      }
    }
  }
  const last = new Set(readded);
  let out = [...errors.filter((e) => kept.has(e) && !last.has(e)), ...readded.filter((e) => kept.has(e))];
  // The discriminator error repeats what the enum on `type` / `source` already says.
  const at1 = groupByPath(out);
  out = out.filter((e) => {
    if (e.keyword !== 'discriminator') return true;
    const tagPath = `${e.instancePath}/${e.params.tag}`;
    return !((at1.get(tagPath)?.length ?? 0) > 0 || (at1.get(e.instancePath) ?? []).some((o) => o !== e && o.keyword === 'required'));
  });
  // "missing 'filters'" next to "unknown 'filter', did you mean 'filters'?" says the same thing twice.
  const at2 = groupByPath(out);
  out = out.filter((e) => {
    if (e.keyword !== 'required') return true;
    return !(at2.get(e.instancePath) ?? []).some(
      (o) => o.keyword === 'additionalProperties' && closest(String(o.params.additionalProperty), [String(e.params.missingProperty)]),
    );
  });
  return out;
}

function groupByPath(errors: readonly ErrorObject[]): Map<string, ErrorObject[]> {
  const m = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = m.get(e.instancePath);
    if (list) list.push(e);
    else m.set(e.instancePath, [e]);
  }
  return m;
}

function hasParamBranch(e: ErrorObject): boolean {
  const branches = (e.schema as unknown[]) ?? [];
  return branches.some((b) => {
    const s = b as { $ref?: string; required?: string[] };
    return (s.$ref && /Param/.test(s.$ref)) || (s.required ?? []).some((k) => PARAM_KEYS.includes(k));
  });
}

function describeAlternatives(e: ErrorObject): string {
  const names = new Set<string>();
  for (const b of (e.schema as unknown[]) ?? []) {
    const s = b as { type?: string; const?: unknown; enum?: unknown[]; $ref?: string; required?: string[] };
    if (s.$ref || (s.required ?? []).some((k) => PARAM_KEYS.includes(k))) names.add('a parameter');
    else if (s.const !== undefined) names.add(JSON.stringify(s.const));
    else if (s.enum) names.add(`one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    else if (s.type === 'integer') names.add('an integer');
    else if (s.type === 'number') names.add('a number');
    else if (s.type === 'string') names.add('a string');
    else if (s.type) names.add(`a ${s.type}`);
  }
  return `must be ${[...names].join(' or ')}`;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function toDiagnostic(e: ErrorObject, doc: ParsedDoc): Diagnostic {
  const path = pointerToPath(e.instancePath, doc.value);
  const where = formatPath(path);
  const base = { severity: 'error' as const, path: where };
  const got = jsonType(e.data);
  switch (e.keyword) {
    case 'required': {
      const prop = String(e.params.missingProperty);
      return {
        ...base,
        code: 'missing-property',
        message: `missing required property '${prop}'${context(e.data)}`,
        range: keyRange(doc, path),
        data: { key: prop },
      };
    }
    case 'additionalProperties': {
      const prop = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closest(prop, allowed);
      const hint = guess ? `; did you mean '${guess}'?` : allowed.length ? `; expected one of: ${allowed.join(', ')}` : '';
      return {
        ...base,
        path: formatPath([...path, prop]),
        code: 'unknown-property',
        message: `unknown property '${prop}'${context(e.data)}${hint}`,
        range: keyRange(doc, [...path, prop]),
        data: guess ? { key: prop, suggestion: guess } : { key: prop },
      };
    }
    case 'type':
      return {
        ...base,
        code: 'schema',
        message: `must be ${TYPE_WORDS[String(e.params.type)] ?? e.params.type}, not ${TYPE_WORDS[got] ?? got}`,
        range: valueRange(doc, path),
      };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const shown = allowed.length > 12 ? allowed.slice(0, 12).join(', ') + ', ...' : allowed.join(', ');
      return {
        ...base,
        code: 'schema',
        message: `${JSON.stringify(e.data)} is not allowed here; ${guess ? `did you mean '${guess}'? ` : ''}expected one of: ${shown}`,
        range: valueRange(doc, path),
        ...(guess ? { data: { suggestion: guess } } : {}),
      };
    }
    case 'const':
      return { ...base, code: 'schema', message: `must be ${JSON.stringify(e.params.allowedValue)}`, range: valueRange(doc, path) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...base,
        code: 'schema',
        message: `${JSON.stringify(e.data)} is out of range: must be ${e.params.comparison} ${e.params.limit}`,
        range: valueRange(doc, path),
      };
    case 'minItems':
      return { ...base, code: 'schema', message: `must have at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, range: valueRange(doc, path) };
    case 'maxItems':
      return { ...base, code: 'schema', message: `must have at most ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, range: valueRange(doc, path) };
    case 'minLength':
      return {
        ...base,
        code: 'schema',
        message: e.params.limit === 1 ? 'must not be empty' : `must be at least ${e.params.limit} characters`,
        range: valueRange(doc, path),
      };
    case 'maxLength':
      return {
        ...base,
        code: 'schema',
        message: `must be at most ${e.params.limit} character${e.params.limit === 1 ? '' : 's'}`,
        range: valueRange(doc, path),
      };
    case 'uniqueItems':
      return {
        ...base,
        code: 'schema',
        message: `items ${e.params.j} and ${e.params.i} are the same; each may appear once`,
        range: valueRange(doc, [...path, e.params.i as number]),
      };
    case 'discriminator':
      return { ...base, code: 'schema', message: `'${e.params.tag}' must be one of the listed kinds`, range: valueRange(doc, path) };
    default:
      return { ...base, code: 'schema', message: e.message ?? `invalid value (${e.keyword})`, range: valueRange(doc, path) };
  }
}

/** " in conv2d" when the object is a layer, so the message stands on its own in the Problems panel. */
function context(data: unknown): string {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const t = (data as Record<string, unknown>).type ?? (data as Record<string, unknown>).source;
    if (typeof t === 'string') return ` in ${t}`;
  }
  return '';
}
