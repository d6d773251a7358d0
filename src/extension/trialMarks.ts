// "Reveal in spec": the values a trial chose, placed after the fields of the spec that decided them. A field
// inside a repeated block decided once per repetition shows every value, in order.
import * as jsonc from 'jsonc-parser';
import type { Assignment, ParamValue } from '../shared/arch';
import type { NasSpec } from '../shared/spec';
import { formatPath } from '../core/json';
import { listParams, type ParamDef } from '../core/space';

export interface Mark {
  /** Where the note goes: the end of the deciding field's value, after its comma if one follows. */
  offset: number;
  text: string;
}

export function trialMarks(text: string, spec: NasSpec, chosen: Assignment): Mark[] {
  const root = jsonc.parseTree(text, [], { allowTrailingComma: true });
  if (!root) return [];
  let defs: ParamDef[];
  try {
    defs = listParams(spec);
  } catch {
    return []; // the spec was edited into something that no longer resolves; nothing to point at
  }
  const byPath = new Map<string, { path: jsonc.JSONPath; parts: string[] }>();
  for (const def of defs) {
    if (!(def.name in chosen)) continue;
    const key = formatPath(def.path);
    const entry = byPath.get(key) ?? { path: def.path, parts: [] };
    entry.parts.push(describe(def, chosen[def.name]));
    byPath.set(key, entry);
  }
  const marks: Mark[] = [];
  for (const { path, parts } of byPath.values()) {
    const node = jsonc.findNodeAtLocation(root, path);
    if (node) marks.push({ offset: afterComma(text, node.offset + node.length), text: parts.join(', ') });
  }
  return marks.sort((a, b) => a.offset - b.offset);
}

/** A note before the comma that ends its field reads as if it were one more item of a list. */
function afterComma(text: string, end: number): number {
  let i = end;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === ',' ? i + 1 : end;
}

function describe(def: ParamDef, v: ParamValue): string {
  switch (def.role) {
    case 'option':
      return `option ${v}${def.optionLabels?.[v as number] ? ` (${def.optionLabels[v as number]})` : ''}`;
    case 'optional':
      return v ? 'present' : 'absent';
    case 'repeat':
      return `repeat ${v}`;
    case 'edge': {
      const m = /\[(\d+)->(\d+)\]/.exec(def.name);
      return m ? `${m[1]}->${m[2]}: ${v}` : String(v);
    }
    default:
      return typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
  }
}
