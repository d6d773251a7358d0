// The checker's findings in the Problems panel: the same messages and positions as `nas-studio check`,
// refreshed as the user types (debounced), on open and on save, for every open spec.
import * as vscode from 'vscode';
import type { Diagnostic as CheckDiagnostic, Severity } from '../shared/diagnostic';
import { isSpec, type SpecAnalyses } from './specs';

export const SOURCE = 'nas-studio';
const TYPING_DELAY_MS = 300;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(r: CheckDiagnostic['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** A finding as VS Code shows it; its cases become related information (rows under it in Problems). */
export function toVscode(d: CheckDiagnostic, uri: vscode.Uri): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = SOURCE;
  out.code = d.code;
  if (d.related?.length)
    out.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message));
  return out;
}

export class SpecDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly onDidUpdateEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** A document's findings were replaced (CodeLens follows, so its error count matches the Problems panel). */
  readonly onDidUpdate = this.onDidUpdateEmitter.event;

  constructor(private readonly analyses: SpecAnalyses) {
    this.disposables.push(
      this.onDidUpdateEmitter,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.schedule(e.document, TYPING_DELAY_MS)),
      vscode.workspace.onDidSaveTextDocument((d) => (isSpec(d) ? this.schedule(d, 0) : this.dataChanged(d.uri))),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // Granting trust lifts the confinement of data reads (specs.ts fileAccess): what was refused may now be read.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.analyses.invalidate();
        for (const d of vscode.workspace.textDocuments) if (isSpec(d)) this.schedule(d, 0);
      }),
    );
    // Data files edited outside the editor change what the checker finds about shapes and classes.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{csv,gz,idx1-ubyte,idx3-ubyte}', false, false, false);
    this.disposables.push(
      watcher,
      watcher.onDidChange((u) => this.dataChanged(u)),
      watcher.onDidCreate((u) => this.dataChanged(u)),
      watcher.onDidDelete((u) => this.dataChanged(u)),
    );
    // Specs already open when the extension starts: checked right after activation, not during it.
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Checks now; for commands and tests that need the findings before they go on. */
  refresh(doc: vscode.TextDocument): readonly vscode.Diagnostic[] {
    this.clearTimer(doc.uri);
    if (!isSpec(doc) || doc.isClosed) {
      this.collection.delete(doc.uri);
      return [];
    }
    const result = this.analyses.get(doc);
    const diags = (result?.diagnostics ?? []).map((d) => toVscode(d, doc.uri));
    this.collection.set(doc.uri, diags);
    this.onDidUpdateEmitter.fire(doc.uri);
    return diags;
  }

  private schedule(doc: vscode.TextDocument, delay: number) {
    if (!isSpec(doc)) {
      // A document whose language changed away from nas-json keeps no stale findings.
      if (this.collection.has(doc.uri)) this.forget(doc.uri);
      return;
    }
    this.clearTimer(doc.uri);
    this.timers.set(
      doc.uri.toString(),
      setTimeout(() => this.refresh(doc), delay),
    );
  }

  private dataChanged(uri: vscode.Uri) {
    if (!/\.(csv|gz|idx\d-ubyte)$/i.test(uri.path)) return;
    this.analyses.invalidate();
    for (const d of vscode.workspace.textDocuments) if (isSpec(d)) this.schedule(d, TYPING_DELAY_MS);
  }

  private forget(uri: vscode.Uri) {
    this.clearTimer(uri);
    this.collection.delete(uri);
  }

  private clearTimer(uri: vscode.Uri) {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
