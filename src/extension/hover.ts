// Hover in nas-json documents: the field's documentation from the schema (fieldInfo.ts) and, on a parameter
// object, how many values it has and which strategies can search it (paramInfo.ts). Both come from here,
// since the JSON service no longer serves these documents.
import * as vscode from 'vscode';
import { fieldHoverAt } from './fieldInfo';
import { paramHoverAt, strategiesFromSchema, type StrategyInfo } from './paramInfo';
import type { SpecAnalyses } from './specs';

export class ParamHoverProvider implements vscode.HoverProvider {
  private strategies?: StrategyInfo[];

  constructor(private readonly analyses: SpecAnalyses) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const parsed = this.analyses.get(doc)?.doc;
    if (!parsed?.root) return undefined;
    this.strategies ??= strategiesFromSchema();
    const value = parsed.value as { search?: { strategy?: unknown } } | undefined;
    const current = typeof value?.search?.strategy === 'string' ? value.search.strategy : 'random';
    const offset = doc.offsetAt(position);
    const field = fieldHoverAt(parsed.root, offset);
    const param = paramHoverAt(parsed.root, offset, this.strategies, current);
    if (!field && !param) return undefined;
    const md = new vscode.MarkdownString([field?.markdown, param?.markdown].filter(Boolean).join('\n\n---\n\n'));
    md.supportHtml = false;
    const at = param ?? field!;
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(at.offset), doc.positionAt(at.offset + at.length)));
  }
}
