// What a hover says about a field: its documentation from the schema and what it takes, also when its value
// is a parameter object (whose own keys, `choice` or `int`, say nothing about the field), and what a chosen
// name (a layer type, an optimizer) means.
import * as jsonc from 'jsonc-parser';
import { isParam } from '../core/params';
import { applicable, declaredAt, describeField, docOf } from './schemaNav';

export interface FieldHover {
  offset: number;
  length: number;
  markdown: string;
}

export function fieldHoverAt(root: jsonc.Node, offset: number): FieldHover | undefined {
  const node = jsonc.findNodeAtOffset(root, offset, true);
  let prop: jsonc.Node | undefined = node;
  while (prop && prop.type !== 'property') prop = prop.parent;
  if (!prop) return undefined;
  // Inside `{"choice": [3, 5]}` the field meant is the one holding the parameter.
  const holder = prop.parent;
  if (holder?.type === 'object' && isParam(jsonc.getNodeValue(holder)) && holder.parent?.type === 'property') prop = holder.parent;
  const [keyNode, valueNode] = prop.children ?? [];
  if (!keyNode || typeof keyNode.value !== 'string') return undefined;
  const path = [...jsonc.getNodePath(prop.parent ?? root), keyNode.value];
  const rootValue: unknown = jsonc.getNodeValue(root);
  const declared = declaredAt(rootValue, path);
  if (!declared.length) return undefined;
  const doc = declared.map(docOf).find(Boolean);
  const kind = describeField(declared[0]);
  const lines = [`**${keyNode.value}**${kind ? ` — ${kind}` : ''}`];
  if (doc) lines.push('', doc);
  // On a name the schema lists (`"conv2d"`, `"adam"`): what that name means.
  if (node?.type === 'string' && node === valueNode) {
    for (const s of declared.flatMap((d) => applicable(d, node.value))) {
      const i = s.enum?.indexOf(node.value) ?? -1;
      if (i >= 0 && s.enumDescriptions?.[i]) {
        lines.push('', `\`${String(node.value)}\`: ${s.enumDescriptions[i]}`);
        break;
      }
    }
  }
  const at = node === keyNode || !valueNode ? keyNode : valueNode;
  return { offset: at.offset, length: at.length, markdown: lines.join('\n') };
}
