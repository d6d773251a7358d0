// Quick fixes for the checker's findings, as plain offset edits so they can be tested without an editor.
// Each fix is keyed by the finding's `code` and reads what it needs from `data`, never from the message.
import * as jsonc from 'jsonc-parser';
import schema from '../../schemas/nas.schema.json';
import type { Diagnostic } from '../shared/diagnostic';
import { lineStarts } from '../core/json';
import { insertProperty, removeProperty, renameKey, replaceValue, swapNodes, type Edit, type Layout } from './jsonEdits';

export interface Fix {
  title: string;
  edits: Edit[];
  /** The one obvious fix: VS Code applies it with "Auto Fix" and marks it in the light bulb menu. */
  preferred?: boolean;
}

export function offsetAt(text: string, pos: { line: number; character: number }): number {
  const starts = lineStarts(text);
  const line = Math.min(Math.max(pos.line, 0), starts.length - 1);
  return Math.min(starts[line] + pos.character, text.length);
}

/** `architecture.layers[2].units` -> ['architecture', 'layers', 2, 'units']; the inverse of core/json's formatPath. */
export function parsePath(p: string): jsonc.JSONPath {
  if (p === '' || p === '(root)') return [];
  const out: jsonc.JSONPath = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

export function fixesFor(text: string, d: Diagnostic, layout?: Layout): Fix[] {
  const root = jsonc.parseTree(text, [], { allowTrailingComma: true });
  if (!root) return [];
  switch (d.code) {
    case 'reversed-bounds':
      return swapBounds(text, root, d);
    case 'unknown-property':
      return unknownProperty(text, root, d);
    case 'missing-property':
      return missingProperty(text, root, d, layout);
    case 'schema':
      return typeof d.data?.suggestion === 'string' ? replaceWithSuggestion(text, root, d, d.data.suggestion) : [];
    default:
      return [];
  }
}

function swapBounds(text: string, root: jsonc.Node, d: Diagnostic): Fix[] {
  // The finding points at the `[` of the bounds array.
  const node = jsonc.findNodeAtOffset(root, offsetAt(text, d.range.start));
  const arr = node?.type === 'array' ? node : node?.parent?.type === 'array' ? node.parent : undefined;
  if (!arr || arr.children?.length !== 2) return [];
  const [lo, hi] = arr.children;
  const shown = `[${text.slice(hi.offset, hi.offset + hi.length)}, ${text.slice(lo.offset, lo.offset + lo.length)}]`;
  return [{ title: `Swap the bounds to ${shown}`, edits: swapNodes(text, lo, hi), preferred: true }];
}

function unknownProperty(text: string, root: jsonc.Node, d: Diagnostic): Fix[] {
  const key = d.data?.key;
  if (typeof key !== 'string') return [];
  const prop = propertyNode(root, parsePath(d.path), key);
  if (!prop) return [];
  const fixes: Fix[] = [];
  const suggestion = d.data?.suggestion;
  const siblings = (prop.parent?.children ?? []).map((p) => p.children?.[0]?.value);
  // Renaming onto a key that is already there would only trade this finding for a duplicate-key error.
  if (typeof suggestion === 'string' && !siblings.includes(suggestion)) {
    fixes.push({ title: `Rename '${key}' to '${suggestion}'`, edits: renameKey(prop, suggestion), preferred: true });
  }
  fixes.push({ title: `Remove the property '${key}'`, edits: removeProperty(text, prop) });
  return fixes;
}

/** The property node for `key` in the object at `path` (the finding's path ends with the key itself). */
function propertyNode(root: jsonc.Node, path: jsonc.JSONPath, key: string): jsonc.Node | undefined {
  const objPath = path.at(-1) === key ? path.slice(0, -1) : path;
  const obj = objPath.length ? jsonc.findNodeAtLocation(root, objPath) : root;
  if (obj?.type !== 'object') return undefined;
  // The last one with that key: the one a duplicate would have let win, and the one the checker names.
  return [...(obj.children ?? [])].reverse().find((p) => p.children?.[0]?.value === key);
}

function missingProperty(text: string, root: jsonc.Node, d: Diagnostic, layout?: Layout): Fix[] {
  const key = d.data?.key;
  if (typeof key !== 'string') return [];
  const path = parsePath(d.path);
  const obj = path.length ? jsonc.findNodeAtLocation(root, path) : root;
  if (obj?.type !== 'object') return [];
  const value = defaultValue(key, path, jsonc.getNodeValue(obj));
  const keys = (obj.children ?? []).map((p) => String(p.children?.[0]?.value));
  return [
    { title: `Add the missing property '${key}'`, edits: insertProperty(text, obj, key, value, layout, insertionIndex(path, keys, key)), preferred: true },
  ];
}

const ROOT_ORDER = ['$schema', 'name', 'description', 'dataset', 'task', 'architecture', 'training', 'search'];

/** Where a new key reads best: the spec's usual order at the top level, right after `type`/`source` elsewhere. */
export function insertionIndex(path: jsonc.JSONPath, keys: string[], key: string): number | undefined {
  if (path.length === 0) {
    const rank = ROOT_ORDER.indexOf(key);
    if (rank < 0) return undefined;
    const i = keys.findIndex((k) => ROOT_ORDER.indexOf(k) > rank || ROOT_ORDER.indexOf(k) < 0);
    return i < 0 ? undefined : i;
  }
  if (key === 'type' || key === 'source') return 0;
  const tag = keys.findIndex((k) => k === 'type' || k === 'source');
  return tag >= 0 && tag + 1 < keys.length ? tag + 1 : undefined;
}

/** A value that makes the object valid and is a sensible start for editing. */
export function defaultValue(key: string, path: jsonc.JSONPath, obj: unknown): unknown {
  const o = (obj && typeof obj === 'object' ? obj : {}) as Record<string, unknown>;
  const under = path.filter((p): p is string => typeof p === 'string');
  const parentKey = under.at(-1);
  switch (key) {
    case 'dataset':
      return { source: 'synthetic', generator: 'shapes' };
    case 'architecture':
      return { type: 'sequential', layers: [{ type: 'flatten' }, { type: 'dense', units: 32 }] };
    case 'source':
      return 'synthetic';
    case 'type':
      if (parentKey === 'architecture' && path.length === 1) return 'sequential';
      if (parentKey === 'pruner') return 'none';
      return 'dense';
    case 'layers':
      return o.type === 'block' ? [{ type: 'dense', units: 32 }] : [{ type: 'flatten' }, { type: 'dense', units: 32 }];
    case 'options':
      return [
        { type: 'dense', units: 32 },
        { type: 'dense', units: 64 },
      ];
    case 'units':
      return 32;
    case 'filters':
      return 16;
    case 'rate':
      return 0.2;
    case 'activation':
      return 'relu';
    case 'images':
      return 'train-images-idx3-ubyte.gz';
    case 'labels':
      return 'train-labels-idx1-ubyte.gz';
    case 'path':
      return 'data.csv';
    case 'metric':
      return 'val_accuracy';
  }
  return fromSchema(key);
}

/** For keys the table does not know (the schema grows): the schema's default, else an empty value of its type. */
function fromSchema(key: string): unknown {
  let found: { default?: unknown; type?: string } | undefined;
  const visit = (n: unknown) => {
    if (found || !n || typeof n !== 'object') return;
    const props = (n as { properties?: Record<string, { default?: unknown; type?: string }> }).properties;
    if (props && props[key]) found = props[key];
    for (const v of Object.values(n as object)) visit(v);
  };
  visit(schema);
  if (found?.default !== undefined) return found.default;
  switch (found?.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return '';
  }
}

function replaceWithSuggestion(text: string, root: jsonc.Node, d: Diagnostic, suggestion: string): Fix[] {
  const node = jsonc.findNodeAtOffset(root, offsetAt(text, d.range.start));
  if (!node || node.type !== 'string') return [];
  const path = jsonc.getNodePath(node);
  return [{ title: `Change to '${suggestion}'`, edits: replaceValue(text, root, path, suggestion), preferred: true }];
}
