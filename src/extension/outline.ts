// The outline (and breadcrumbs) of a spec: its sections, and each layer named by its type and label, so a
// long stack of layers can be navigated. Built from the tolerant parse, so it survives a syntax error.
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';

/** Deeper than a block's layers inside a choice there is nothing worth listing. */
const MAX_DEPTH = 8;

export class SpecOutline implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const root = jsonc.parseTree(doc.getText(), [], { allowTrailingComma: true, disallowComments: false });
    if (root?.type !== 'object') return [];
    return symbolsOf(doc, root, 0);
  }
}

function symbolsOf(doc: vscode.TextDocument, node: jsonc.Node, depth: number): vscode.DocumentSymbol[] {
  if (depth > MAX_DEPTH) return [];
  const out: vscode.DocumentSymbol[] = [];
  if (node.type === 'object') {
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (!key || typeof key.value !== 'string') continue;
      const s = symbol(doc, key.value, detailOf(value), kindOf(value), prop, key);
      if (value && (value.type === 'object' || value.type === 'array') && !isLeafObject(value)) s.children = symbolsOf(doc, value, depth + 1);
      out.push(s);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((item, i) => {
      if (item.type !== 'object') return;
      const v = jsonc.getNodeValue(item) as Record<string, unknown>;
      const type = typeof v.type === 'string' ? v.type : undefined;
      const name = typeof v.name === 'string' ? ` "${v.name}"` : '';
      const s = symbol(doc, type ? `${i + 1}. ${type}${name}` : `${i + 1}`, '', vscode.SymbolKind.Object, item, item);
      s.children = symbolsOf(doc, item, depth + 1).filter((c) => c.children.length > 0);
      out.push(s);
    });
  }
  return out;
}

/** A parameter or a plain record: its fields are shown as the detail, not as children. */
function isLeafObject(n: jsonc.Node): boolean {
  return n.type === 'object' && (n.children ?? []).every((p) => !['object', 'array'].includes(p.children?.[1]?.type ?? ''));
}

function detailOf(n: jsonc.Node | undefined): string {
  if (!n) return '';
  if (n.type === 'array') return `${n.children?.length ?? 0} item${n.children?.length === 1 ? '' : 's'}`;
  if (n.type === 'object') {
    const text = JSON.stringify(jsonc.getNodeValue(n));
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  return JSON.stringify(n.value);
}

function kindOf(n: jsonc.Node | undefined): vscode.SymbolKind {
  switch (n?.type) {
    case 'object':
      return vscode.SymbolKind.Object;
    case 'array':
      return vscode.SymbolKind.Array;
    case 'number':
      return vscode.SymbolKind.Number;
    case 'boolean':
      return vscode.SymbolKind.Boolean;
    default:
      return vscode.SymbolKind.String;
  }
}

function symbol(doc: vscode.TextDocument, name: string, detail: string, kind: vscode.SymbolKind, whole: jsonc.Node, pick: jsonc.Node): vscode.DocumentSymbol {
  const range = (n: jsonc.Node) => new vscode.Range(doc.positionAt(n.offset), doc.positionAt(n.offset + n.length));
  return new vscode.DocumentSymbol(name, detail, kind, range(whole), range(pick));
}
