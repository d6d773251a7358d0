// Hover on a parameter object: how many values it has and which strategies can search it. VS Code's JSON
// service adds the schema's description of the same field next to it.
import * as vscode from 'vscode';
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
    const h = paramHoverAt(parsed.root, doc.offsetAt(position), this.strategies, current);
    if (!h) return undefined;
    const md = new vscode.MarkdownString(h.markdown);
    md.supportHtml = false;
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(h.offset), doc.positionAt(h.offset + h.length)));
  }
}
