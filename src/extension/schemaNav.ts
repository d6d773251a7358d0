// Where a place in a spec sits in the schema: the schemas that apply to the value at a JSON path, and the
// documentation of a field. Completion, hover and the outline read the schema through this, since the
// nas-json language is not a JSON-service participant (that service reported each mistake a second time).
//
// The schema's variants are `oneOf`/`anyOf` lists told apart by a `const` property (a layer's `type`, a
// dataset's `source`) or by their value's type (a number or a parameter object). The document's own value at
// each step picks the variants, so a conv2d offers conv2d fields and not dense ones.
import schemaJson from '../../schemas/nas.schema.json';
import type { JsonPath } from '../core/json';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  title?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  enumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
  markdownDescription?: string;
}

const ROOT = schemaJson as unknown as Schema & { definitions: Record<string, Schema> };

export function resolveRef(s: Schema): Schema {
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace(/^#\/definitions\//, '');
    const target = ROOT.definitions[name];
    if (!target) return s;
    s = target;
  }
  return s;
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Whether a variant can describe `value`; undefined (nothing typed yet) fits every variant. */
function fits(s: Schema, value: unknown): boolean {
  if (value === undefined) return true;
  const t = typeOfValue(value);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return false;
  }
  if (t !== 'object' || !s.properties) return true;
  const obj = value as Record<string, unknown>;
  for (const [key, p] of Object.entries(s.properties)) {
    // A discriminator the document has not written yet leaves the variant out: until a layer has its
    // `type`, completion offers `type` rather than the fields of every layer at once.
    if (p.const !== undefined && obj[key] !== p.const) return false;
  }
  // Closed variants cannot hold a key they do not declare: `{"choice": ...}` is not an int parameter.
  if (s.additionalProperties === false) return Object.keys(obj).every((k) => k in s.properties!);
  return true;
}

/** The object-level schemas that apply to `value`: the schema itself and every variant that fits it. */
export function applicable(s: Schema | undefined, value: unknown): Schema[] {
  if (!s) return [];
  s = resolveRef(s);
  const out: Schema[] = [s];
  for (const list of [s.allOf, s.oneOf, s.anyOf]) {
    for (const alt of list ?? []) {
      const r = resolveRef(alt);
      if (list === s.allOf || fits(r, value)) out.push(...applicable(r, value));
    }
  }
  return out;
}

function child(s: Schema, seg: string | number): Schema | undefined {
  if (typeof seg === 'number') return s.items;
  if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) return s.properties[seg];
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The schemas of the value at `path`, before variants are picked (a field's own schema, for its docs). */
export function declaredAt(rootValue: unknown, path: JsonPath): Schema[] {
  if (path.length === 0) return [ROOT];
  const parents = schemasAt(rootValue, path.slice(0, -1));
  const seg = path[path.length - 1];
  return parents.map((p) => child(p, seg)).filter((s): s is Schema => !!s);
}

/** The object-level schemas that apply to the value at `path` of the document whose value is `rootValue`. */
export function schemasAt(rootValue: unknown, path: JsonPath): Schema[] {
  let current = applicable(ROOT, rootValue);
  for (let i = 0; i < path.length; i++) {
    const value = valueAt(rootValue, path.slice(0, i + 1));
    const next: Schema[] = [];
    for (const s of current) {
      const c = child(s, path[i]);
      if (c) next.push(...applicable(c, value));
    }
    current = dedupe(next);
  }
  return current;
}

function dedupe(list: Schema[]): Schema[] {
  return [...new Set(list)];
}

export function docOf(s: Schema): string | undefined {
  const r = resolveRef(s);
  return s.markdownDescription ?? s.description ?? r.markdownDescription ?? r.description;
}

/** A field's documentation: the first paragraph-rich description among its declarations. */
export function fieldDoc(rootValue: unknown, path: JsonPath): string | undefined {
  for (const s of declaredAt(rootValue, path)) {
    const d = docOf(s);
    if (d) return d;
  }
  return undefined;
}

/** "integer ≥ 1 or a parameter · default 3": what a field takes, in a line, for completion details. */
export function describeField(s: Schema): string {
  const r = resolveRef(s);
  const kinds: string[] = [];
  let parameter = false;
  const add = (x: Schema) => {
    const t = resolveRef(x);
    if (
      t.properties &&
      (t.properties.choice || t.properties.int || t.properties.float) &&
      (t.required ?? []).some((k) => ['choice', 'int', 'float'].includes(k))
    ) {
      parameter = true;
      return;
    }
    kinds.push(kindOf(t));
  };
  const alts = r.anyOf ?? r.oneOf;
  if (alts && !r.properties) alts.forEach(add);
  else add(r);
  const what = [...new Set(kinds.filter(Boolean))].join(' or ');
  const parts = [parameter ? (what ? `${what} or a parameter` : 'a parameter') : what];
  const def = s.default ?? r.default;
  if (def !== undefined) parts.push(`default ${JSON.stringify(def)}`);
  return parts.filter(Boolean).join(' · ');
}

function kindOf(t: Schema): string {
  if (t.const !== undefined) return JSON.stringify(t.const);
  if (t.enum) return t.enum.length <= 5 ? t.enum.map((v) => JSON.stringify(v)).join(' | ') : `one of ${t.enum.length} names`;
  const type = Array.isArray(t.type) ? t.type.join(' | ') : t.type;
  if (type === 'integer' || type === 'number') {
    const range = t.minimum !== undefined && t.maximum !== undefined ? ` ${t.minimum}-${t.maximum}` : t.minimum !== undefined ? ` ≥ ${t.minimum}` : '';
    return `${type}${range}`;
  }
  if (type === 'array') return t.items && resolveRef(t.items).title ? `list of ${resolveRef(t.items).title}` : 'list';
  if (type === 'object') return t.title && !/Layer$|Dataset$|Architecture$/.test(t.title) ? t.title : 'object';
  return type ?? '';
}
