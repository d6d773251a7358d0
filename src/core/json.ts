// JSONC parsing that keeps positions, so every finding can point at the exact text that caused it.
import * as jsonc from 'jsonc-parser';
import type { Diagnostic, Range } from '../shared/diagnostic';

export type JsonPath = (string | number)[];

export interface ParsedDoc {
  text: string;
  root: jsonc.Node | undefined;
  value: unknown;
  diagnostics: Diagnostic[];
  lineStarts: number[];
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function positionAt(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function rangeOf(doc: Pick<ParsedDoc, 'lineStarts'>, offset: number, length: number): Range {
  return { start: positionAt(doc.lineStarts, offset), end: positionAt(doc.lineStarts, offset + Math.max(length, 0)) };
}

export function formatPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(root)';
}

/** The inverse of formatPath, for the paths this project writes (keys are plain names). */
export function parsePath(s: string): JsonPath {
  if (s === '(root)' || s === '') return [];
  const out: JsonPath = [];
  for (const m of s.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * Deeper nesting is refused before parsing: the parser, the schema validator and every walk of the tree recurse,
 * and 20,000 nested brackets (a 40 KB file) overflowed the stack. A real spec is nested about ten levels.
 */
export const MAX_NESTING = 256;

/** Offset of the bracket that opens level MAX_NESTING + 1, if the text nests that deep (strings and comments skipped). */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

export function parse(text: string): ParsedDoc {
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const doc: ParsedDoc = { text, root: undefined, value: undefined, diagnostics: [], lineStarts: lineStarts(text) };
    doc.diagnostics.push({
      severity: 'error',
      message: `nested more than ${MAX_NESTING} levels deep here; a spec is read only up to ${MAX_NESTING} levels of objects and lists`,
      range: rangeOf(doc, deep, 1),
      path: '',
      code: 'syntax',
    });
    return doc;
  }
  const errors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const doc: ParsedDoc = { text, root, value: undefined, diagnostics: [], lineStarts: lineStarts(text) };
  // Errors at one place are one finding: a truncated file otherwise gets one per bracket left open.
  const byOffset = new Map<number, jsonc.ParseError[]>();
  for (const e of errors) {
    const here = byOffset.get(e.offset);
    if (here) here.push(e);
    else byOffset.set(e.offset, [e]);
  }
  for (const [offset, here] of byOffset) {
    doc.diagnostics.push({
      severity: 'error',
      message: syntaxMessage(here, offset >= text.trimEnd().length),
      range: rangeOf(doc, offset, here[0].length || 1),
      path: '',
      code: 'syntax',
    });
  }
  if (root) {
    doc.value = jsonc.getNodeValue(root);
    findDuplicateKeys(doc, root, []);
  }
  return doc;
}

const CLOSERS: Record<string, string> = { CloseBracketExpected: ']', CloseBraceExpected: '}' };

function words(code: jsonc.ParseErrorCode): string {
  return jsonc
    .printParseErrorCode(code)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** "syntax error: comma expected"; a file cut short: "the file ends too early: value expected, then ']}}' to close what is open". */
function syntaxMessage(here: jsonc.ParseError[], atEnd: boolean): string {
  const closers = here.map((e) => CLOSERS[jsonc.printParseErrorCode(e.error)] ?? '').join('');
  const others = here.filter((e) => !CLOSERS[jsonc.printParseErrorCode(e.error)]).map((e) => words(e.error));
  const parts = [...others, ...(closers ? [`${others.length ? 'then' : 'it needs'} '${closers}' to close what is open`] : [])];
  return `syntax error: ${atEnd && closers ? 'the file ends too early: ' : ''}${parts.join(', ')}`;
}

function findDuplicateKeys(doc: ParsedDoc, node: jsonc.Node, path: JsonPath): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const keyNode = prop.children?.[0];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (seen.has(key)) {
        doc.diagnostics.push({
          severity: 'error',
          message: `duplicate key '${key}': only the last one would count`,
          range: rangeOf(doc, keyNode.offset, keyNode.length),
          path: formatPath([...path, key]),
          code: 'duplicate-key',
          data: { key },
        });
      }
      seen.add(key);
      const valueNode = prop.children?.[1];
      if (valueNode) findDuplicateKeys(doc, valueNode, [...path, key]);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((child, i) => findDuplicateKeys(doc, child, [...path, i]));
  }
}

/** The node at `path`, or the deepest existing ancestor when the path runs past the document. */
export function nodeAt(root: jsonc.Node | undefined, path: JsonPath): { node: jsonc.Node | undefined; exact: boolean } {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const next = node ? jsonc.findNodeAtLocation(node, [path[i]]) : undefined;
    if (!next) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

/** The range of the key of the property holding `path`, falling back to the value. */
export function keyRange(doc: ParsedDoc, path: JsonPath): Range {
  const { node, exact } = nodeAt(doc.root, path);
  if (node && exact && node.parent?.type === 'property' && node.parent.children?.[0]) {
    const key = node.parent.children[0];
    return rangeOf(doc, key.offset, key.length);
  }
  return valueRange(doc, path);
}

/** The range of the value at `path` (or of its nearest existing ancestor). */
export function valueRange(doc: ParsedDoc, path: JsonPath): Range {
  const { node } = nodeAt(doc.root, path);
  if (!node) return rangeOf(doc, 0, 1);
  // A whole object or array would underline half the file: point at its first character instead.
  const len = node.type === 'object' || node.type === 'array' ? 1 : node.length;
  return rangeOf(doc, node.offset, len);
}
