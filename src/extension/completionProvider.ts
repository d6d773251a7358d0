// Completion in nas-json documents: field names, values and snippets from completion.ts. The snippets file
// is read here instead of being contributed in package.json, because VS Code offers contributed snippets at
// every position, including where a field name goes.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { completionsAt, type Completion, type SnippetDef } from './completion';

const KINDS: Record<Completion['kind'], vscode.CompletionItemKind> = {
  field: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  snippet: vscode.CompletionItemKind.Snippet,
};

export class SpecCompletions implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = ['"', ':'];
  private snippets?: SnippetDef[];

  constructor(
    private readonly snippetsFile: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    return completionsAt(doc.getText(), doc.offsetAt(position), this.loadSnippets()).map((c) => {
      const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
      item.insertText = new vscode.SnippetString(c.insertText);
      item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      item.range = new vscode.Range(doc.positionAt(c.replace.offset), doc.positionAt(c.replace.offset + c.replace.length));
      item.sortText = c.sortText;
      item.filterText = c.filterText;
      return item;
    });
  }

  private loadSnippets(): SnippetDef[] {
    if (!this.snippets) {
      try {
        const raw = JSON.parse(fs.readFileSync(this.snippetsFile, 'utf8')) as Record<string, Omit<SnippetDef, 'name'>>;
        this.snippets = Object.entries(raw).map(([name, s]) => ({ name, ...s }));
      } catch (e) {
        // Completion of fields and values still works; only the snippets are missing.
        this.log.error(`reading the snippets failed: ${e instanceof Error ? e.message : String(e)}`);
        this.snippets = [];
      }
    }
    return this.snippets;
  }
}
