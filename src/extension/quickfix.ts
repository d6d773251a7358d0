// Quick fixes for the checker's findings. The edits are computed in fixes.ts; this maps the editor's
// diagnostics back to the checker's (which carry the `data` a fix needs) and wraps the edits.
import * as vscode from 'vscode';
import type { Diagnostic as CheckDiagnostic } from '../shared/diagnostic';
import { SOURCE } from './diagnostics';
import { fixesFor } from './fixes';
import type { Layout } from './jsonEdits';
import type { SpecAnalyses } from './specs';

export class SpecQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly analyses: SpecAnalyses) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === SOURCE);
    if (!ours.length) return [];
    const checked = this.analyses.get(doc)?.diagnostics ?? [];
    const text = doc.getText();
    const layout = layoutOf(doc);
    const actions: vscode.CodeAction[] = [];
    for (const d of ours) {
      // Diagnostics reach providers as copies without extra fields: find the checker's own by place and text.
      const source = checked.find((c) => sameFinding(c, d));
      if (!source) continue;
      for (const fix of fixesFor(text, source, layout)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = fix.preferred;
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }
}

function sameFinding(c: CheckDiagnostic, d: vscode.Diagnostic): boolean {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return c.code === code && c.message === d.message && c.range.start.line === d.range.start.line && c.range.start.character === d.range.start.character;
}

/** The indentation of the editor showing the document, so inserted lines match their neighbours. */
function layoutOf(doc: vscode.TextDocument): Layout {
  const opts = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.options;
  return {
    tabSize: typeof opts?.tabSize === 'number' ? opts.tabSize : 2,
    insertSpaces: typeof opts?.insertSpaces === 'boolean' ? opts.insertSpaces : true,
    eol: doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
  };
}
