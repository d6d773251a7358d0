// What completion offers at a place in a spec, from the schema and the snippets file, without vscode (so unit
// tests can list it). Field names go where a field name goes, values and snippets where a value goes: a
// whole-layer snippet is offered in a list of layers, never among a layer's fields.
import * as jsonc from 'jsonc-parser';
import type { JsonPath } from '../core/json';
import { applicable, declaredAt, describeField, docOf, resolveRef, schemasAt, type Schema } from './schemaNav';

export interface Completion {
  label: string;
  kind: 'field' | 'value' | 'snippet';
  /** Snippet syntax ($1, ${1:x}). */
  insertText: string;
  detail?: string;
  documentation?: string;
  /** The text the completion replaces. */
  replace: { offset: number; length: number };
  /** Keeps the schema's order of fields rather than the alphabet. */
  sortText: string;
  /** What the typed text is matched against: quoted when the cursor is in a quoted key. */
  filterText?: string;
}

/** One entry of snippets/nas-json.code-snippets. */
export interface SnippetDef {
  name: string;
  prefix: string;
  body: string[];
  description?: string;
}

const PARAM_KEYS = ['choice', 'int', 'float'] as const;

export function completionsAt(text: string, offset: number, snippets: readonly SnippetDef[]): Completion[] {
  const loc = jsonc.getLocation(text, offset);
  const root = jsonc.parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const rootValue: unknown = root ? jsonc.getNodeValue(root) : undefined;
  const replace = replaceRange(text, offset, loc.previousNode);
  if (loc.isAtPropertyKey) return fieldCompletions(text, root, rootValue, loc.path.slice(0, -1), loc.previousNode, replace, snippets);
  if (!text.trim()) return snippets.filter((s) => s.prefix === 'nas-spec').map((s, i) => snippetItem(s, replace, i));
  return valueCompletions(rootValue, loc.path, replace, snippets);
}

/** The token under the cursor (a string, number or bare word) is replaced as a whole. */
function replaceRange(text: string, offset: number, prev: jsonc.Node | undefined): { offset: number; length: number } {
  if (prev && prev.type !== 'object' && prev.type !== 'array' && prev.offset <= offset && offset <= prev.offset + prev.length)
    return { offset: prev.offset, length: prev.length };
  let start = offset;
  while (start > 0 && /[\w"$.-]/.test(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && /[\w"$.-]/.test(text[end])) end++;
  return { offset: start, length: end - start };
}

function fieldCompletions(
  text: string,
  root: jsonc.Node | undefined,
  rootValue: unknown,
  objectPath: JsonPath,
  editing: jsonc.Node | undefined,
  replace: { offset: number; length: number },
  snippets: readonly SnippetDef[],
): Completion[] {
  const objectNode = root ? jsonc.findNodeAtLocation(root, objectPath) : undefined;
  const present = new Set<string>();
  for (const p of objectNode?.type === 'object' ? (objectNode.children ?? []) : []) {
    const key = p.children?.[0];
    if (key && key !== editing && typeof key.value === 'string') present.add(key.value);
  }
  // A comma goes after the new field when another field follows it.
  const after = text.slice(replace.offset + replace.length).trimStart();
  const comma = after.startsWith('"') ? ',' : '';
  const out: Completion[] = [];
  const seen = new Set<string>();
  for (const s of schemasAt(rootValue, objectPath)) {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (present.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.push({
        label: key,
        kind: 'field',
        insertText: `"${key}": ${skeleton(prop)}${comma}`,
        detail: describeField(prop),
        documentation: docOf(prop),
        replace,
        sortText: `0${String(out.length).padStart(3, '0')}`,
        filterText: text[replace.offset] === '"' ? `"${key}"` : key,
      });
    }
  }
  // Section snippets (`"training": {...}`) belong where their field may go.
  for (const s of snippets) {
    const key = /^"(\w+)"\s*:/.exec(s.body[0] ?? '')?.[1];
    if (key && seen.has(key)) out.push(snippetItem(s, replace, out.length, comma));
  }
  return out;
}

function valueCompletions(rootValue: unknown, path: JsonPath, replace: { offset: number; length: number }, snippets: readonly SnippetDef[]): Completion[] {
  const out: Completion[] = [];
  const seen = new Set<string>();
  const add = (label: string, detail?: string, documentation?: string) => {
    if (seen.has(label)) return;
    seen.add(label);
    out.push({
      label,
      kind: 'value',
      insertText: label.replace(/[$}\\]/g, '\\$&'),
      detail,
      documentation,
      replace,
      sortText: `0${String(out.length).padStart(3, '0')}`,
    });
  };
  let element = false;
  const params = new Set<string>();
  for (const declared of declaredAt(rootValue, path)) {
    if (isElement(declared)) element = true;
    if (declared.default !== undefined) add(JSON.stringify(declared.default), 'default');
    for (const s of applicable(declared, undefined)) {
      s.enum?.forEach((v, i) => add(JSON.stringify(v), undefined, s.enumDescriptions?.[i]));
      if (s.const !== undefined) add(JSON.stringify(s.const), undefined, docOf(s));
      if (s.type === 'boolean') ['true', 'false'].forEach((b) => add(b));
      for (const k of PARAM_KEYS) if (s.properties?.[k] && s.required?.includes(k)) params.add(k);
    }
  }
  for (const s of snippets) {
    const first = (s.body[0] ?? '').trimStart();
    const param = /^\{\s*"(choice|int|float)"/.exec(first)?.[1];
    if (param ? params.has(param) : element && /^\{\s*("type"|$)/.test(first) && s.prefix !== 'nas-spec') out.push(snippetItem(s, replace, out.length));
  }
  return out;
}

function isElement(s: Schema): boolean {
  const items = resolveRef(s);
  return items.title === undefined && !!items.oneOf && !!items.properties?.type?.enum?.includes('conv2d');
}

/** What follows a new field's name: the cursor inside the quotes, braces or brackets its value needs. */
function skeleton(prop: Schema): string {
  const alts = applicable(prop, undefined).filter((s) => s.type !== undefined || s.enum);
  const types = new Set(alts.map((s) => (Array.isArray(s.type) ? s.type[0] : (s.type ?? 'string'))));
  const hasParam = alts.some((s) => PARAM_KEYS.some((k) => s.required?.includes(k)));
  if (hasParam || types.size !== 1) return '$1';
  const [t] = types;
  if (t === 'string') return '"$1"';
  if (t === 'object') return '{$1}';
  if (t === 'array') return '[$1]';
  if (t === 'boolean') return '${1|true,false|}';
  return '$1';
}

function snippetItem(s: SnippetDef, replace: { offset: number; length: number }, index: number, suffix = ''): Completion {
  return {
    label: s.name,
    kind: 'snippet',
    insertText: s.body.join('\n') + suffix,
    detail: s.prefix,
    documentation: s.description,
    replace,
    // Snippets after fields and values: the plain choices come first.
    sortText: `1${String(index).padStart(3, '0')}`,
  };
}
