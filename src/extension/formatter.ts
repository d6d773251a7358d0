// Format Document for nas-json: the JSON service formatted these files while nas-json was one of its
// languages; jsonc-parser's formatter keeps comments and follows the editor's indentation settings.
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';

export class SpecFormatter implements vscode.DocumentFormattingEditProvider, vscode.DocumentRangeFormattingEditProvider {
  provideDocumentFormattingEdits(doc: vscode.TextDocument, options: vscode.FormattingOptions): vscode.TextEdit[] {
    return this.edits(doc, undefined, options);
  }

  provideDocumentRangeFormattingEdits(doc: vscode.TextDocument, range: vscode.Range, options: vscode.FormattingOptions): vscode.TextEdit[] {
    return this.edits(doc, range, options);
  }

  private edits(doc: vscode.TextDocument, range: vscode.Range | undefined, options: vscode.FormattingOptions): vscode.TextEdit[] {
    const r = range && { offset: doc.offsetAt(range.start), length: doc.offsetAt(range.end) - doc.offsetAt(range.start) };
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    return jsonc
      .format(doc.getText(), r, { tabSize: options.tabSize, insertSpaces: options.insertSpaces, eol, keepLines: true })
      .map((e) => vscode.TextEdit.replace(new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content));
  }
}
