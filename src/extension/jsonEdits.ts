// Text edits on JSONC that keep the user's layout. jsonc-parser's `modify` reformats every line it touches
// when given formatting options (a one-line `{ "type": "dense" }` becomes five lines) and, without them,
// deletes the comment that ends the previous line when it removes a property. Quick fixes and templates
// must change one thing only, so insertion and removal are done here on the parse tree; plain value
// replacement still goes through `modify`, which handles it exactly.
import * as jsonc from 'jsonc-parser';

export type Edit = jsonc.Edit;

export interface Layout {
  tabSize: number;
  insertSpaces: boolean;
  eol: string;
}

export const DEFAULT_LAYOUT: Layout = { tabSize: 2, insertSpaces: true, eol: '\n' };

export function applyEdits(text: string, edits: Edit[]): string {
  return jsonc.applyEdits(text, edits);
}

/** JSON on one line with the spacing people write by hand: `{ "type": "dense", "units": 32 }`. */
export function inlineJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(', ')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v);
}

/** Replaces the value at `path` (which must exist); the new value is written inline. */
export function replaceValue(text: string, root: jsonc.Node, path: jsonc.JSONPath, value: unknown): Edit[] {
  const node = jsonc.findNodeAtLocation(root, path);
  if (!node) return [];
  // `modify` without formatting options replaces exactly the old value's text.
  const edits = jsonc.modify(text, path, value, {});
  return edits.map((e) => (e.offset === node.offset && e.length === node.length ? { ...e, content: inlineJson(value) } : e));
}

/** Swaps the text of two sibling values, keeping each one's spelling (`1e-3` stays `1e-3`). */
export function swapNodes(text: string, a: jsonc.Node, b: jsonc.Node): Edit[] {
  const ta = text.slice(a.offset, a.offset + a.length);
  const tb = text.slice(b.offset, b.offset + b.length);
  return [
    { offset: a.offset, length: a.length, content: tb },
    { offset: b.offset, length: b.length, content: ta },
  ];
}

/** Renames a property's key in place. */
export function renameKey(prop: jsonc.Node, newKey: string): Edit[] {
  const key = prop.children?.[0];
  return key ? [{ offset: key.offset, length: key.length, content: JSON.stringify(newKey) }] : [];
}

function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function indentOf(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** True when only whitespace precedes `offset` on its line. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStartOf(text, offset), offset));
}

/** Offset just past the end of the line holding `offset`, newline included. */
function pastLineEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

// jsonc-parser declares SyntaxKind as a const enum, which isolated modules cannot read: its values, as published.
const COMMA = 5 as jsonc.SyntaxKind;
const TRIVIA = new Set<number>([12, 13, 14, 15]); // line comment, block comment, line break, whitespace

/** The first token after `offset` that is not trivia, via the scanner so comments are skipped correctly. */
function nextToken(text: string, offset: number): { kind: jsonc.SyntaxKind; offset: number; length: number } {
  const s = jsonc.createScanner(text, true);
  s.setPosition(offset);
  let k = s.scan();
  while (TRIVIA.has(k)) k = s.scan();
  return { kind: k, offset: s.getTokenOffset(), length: s.getTokenLength() };
}

/**
 * Removes a property (a `property` node) with its comma. When it sat alone on its line(s), the whole lines go,
 * including a trailing `// comment` that belonged to it; the comments of other lines are kept.
 */
export function removeProperty(text: string, prop: jsonc.Node): Edit[] {
  const obj = prop.parent;
  if (!obj || prop.type !== 'property') return [];
  const siblings = obj.children ?? [];
  const index = siblings.indexOf(prop);
  let start = prop.offset;
  let end = prop.offset + prop.length;
  const edits: Edit[] = [];
  const after = nextToken(text, end);
  if (after.kind === COMMA) end = after.offset + after.length;
  else if (index > 0) {
    // The last property has no comma of its own: the previous one's comma must go instead.
    const prev = siblings[index - 1];
    const comma = nextToken(text, prev.offset + prev.length);
    if (comma.kind === COMMA) edits.push({ offset: comma.offset, length: comma.length, content: '' });
  }
  const rest = text.slice(end, pastLineEnd(text, end));
  if (startsLine(text, start) && /^[ \t]*(\/\/.*)?(\r?\n|\r)?$/.test(rest)) {
    start = lineStartOf(text, start);
    end = pastLineEnd(text, end);
  } else if (after.kind !== COMMA && index > 0) {
    // `{ "a": 1, "b": 2 }` minus b: the space before b goes (its comma is removed above), the one after stays.
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  } else {
    // `{ "a": 1, "b": 2 }` minus a: take the spaces after it too.
    end += /^[ \t]*/.exec(text.slice(end))![0].length;
  }
  edits.push({ offset: start, length: end - start, content: '' });
  return edits.sort((a, b) => a.offset - b.offset);
}

/**
 * Inserts `"key": value` into an object node. `before` is the index of the property it goes in front of
 * (default: after the last). A one-line object stays on one line; in a multi-line one the new property gets
 * its own line, indented like its neighbours.
 */
export function insertProperty(text: string, obj: jsonc.Node, key: string, value: unknown, layout: Layout = DEFAULT_LAYOUT, before?: number): Edit[] {
  if (obj.type !== 'object') return [];
  const props = obj.children ?? [];
  const close = obj.offset + obj.length - 1;
  const multiline = /[\r\n]/.test(text.slice(obj.offset, close));
  const unit = layout.insertSpaces ? ' '.repeat(layout.tabSize) : '\t';
  const indent = props.length && startsLine(text, props[0].offset) ? indentOf(text, props[0].offset) : indentOf(text, obj.offset) + unit;
  const valueText = (base: string) => {
    const inline = inlineJson(value);
    if (!multiline || inline.length <= 60 || !value || typeof value !== 'object') return inline;
    return JSON.stringify(value, null, unit).replace(/\n/g, layout.eol + base);
  };
  const member = (base: string) => `${JSON.stringify(key)}: ${valueText(base)}`;
  if (props.length === 0) {
    const inner = text.slice(obj.offset + 1, close);
    if (/\/[/*]/.test(inner)) {
      // Keep the comments inside an empty object: add the member on a line of its own before the brace.
      return [{ offset: close, length: 0, content: `${unit}${member(indent)}${layout.eol}${indentOf(text, obj.offset)}` }];
    }
    return [
      {
        offset: obj.offset + 1,
        length: inner.length,
        content: multiline ? `${layout.eol}${indent}${member(indent)}${layout.eol}${indentOf(text, obj.offset)}` : ` ${member(indent)} `,
      },
    ];
  }
  if (before !== undefined && before < props.length) {
    const next = props[before];
    const own = startsLine(text, next.offset);
    return [
      {
        offset: next.offset,
        length: 0,
        content: own ? `${member(indentOf(text, next.offset))},${layout.eol}${indentOf(text, next.offset)}` : `${member(indent)}, `,
      },
    ];
  }
  const last = props[props.length - 1];
  const lastEnd = last.offset + last.length;
  if (!multiline) return [{ offset: lastEnd, length: 0, content: `, ${member(indent)}` }];
  const lastIndent = startsLine(text, last.offset) ? indentOf(text, last.offset) : indent;
  const lineRest = /^[^\r\n]*/.exec(text.slice(lastEnd))![0];
  if (/^[ \t]*\/\//.test(lineRest)) {
    // `"b": 2 // note`: the comment stays with b, the new member goes on the next line.
    return [
      { offset: lastEnd, length: 0, content: ',' },
      { offset: lastEnd + lineRest.length, length: 0, content: `${layout.eol}${lastIndent}${member(lastIndent)}` },
    ];
  }
  return [{ offset: lastEnd, length: 0, content: `,${layout.eol}${lastIndent}${member(lastIndent)}` }];
}
