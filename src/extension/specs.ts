// One check per document version, shared by diagnostics, CodeLens, hover and quick fixes. The checker is
// synchronous and a cell space can take a few hundred milliseconds to analyse, so nothing checks twice.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkText, type CheckResult } from '../core/check';
import type { FileAccess } from '../core/data/files';

import { LANGUAGE_ID } from './ids';

export { LANGUAGE_ID };
export const SELECTOR: vscode.DocumentSelector = [
  { language: LANGUAGE_ID, scheme: 'file' },
  { language: LANGUAGE_ID, scheme: 'untitled' },
  { language: LANGUAGE_ID, scheme: 'vscode-remote' },
];

export function isSpec(doc: vscode.TextDocument): boolean {
  return doc.languageId === LANGUAGE_ID;
}

export class SpecAnalyses implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; result: CheckResult | undefined }>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));
  }

  /** The check of the document as it is now; undefined only if the checker itself failed (a bug, logged). */
  get(doc: vscode.TextDocument): CheckResult | undefined {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.result;
    const result = this.check(doc);
    this.cache.set(key, { version: doc.version, result });
    return result;
  }

  /**
   * The latest check, even of an older version, so frequent callers (CodeLens is asked after every edit) do not
   * run the checker ahead of the debounced diagnostics; they refresh when the diagnostics do.
   */
  latest(doc: vscode.TextDocument): CheckResult | undefined {
    return this.cache.get(doc.uri.toString())?.result ?? this.get(doc);
  }

  /** Forgets every result, e.g. when a data file the specs read has changed on disk. */
  invalidate(): void {
    this.cache.clear();
  }

  private check(doc: vscode.TextDocument): CheckResult | undefined {
    const started = Date.now();
    try {
      // Dataset paths are relative to the spec's folder; an unsaved spec has none, and the checker then
      // only reads generated (synthetic) data.
      const file = doc.uri.scheme === 'untitled' ? undefined : doc.uri.fsPath;
      const result = checkText(doc.getText(), { file, access: fileAccess(file) });
      const ms = Date.now() - started;
      if (ms > 250) this.log.debug(`checked ${vscode.workspace.asRelativePath(doc.uri)} in ${ms} ms`);
      return result;
    } catch (e) {
      this.log.error(`the checker failed on ${doc.uri.toString()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.cache.clear();
  }
}

/**
 * An untrusted workspace's specs may name any path: the checker then reads only files inside the workspace
 * folders (or, with none open, the spec's own folder), so opening a spec cannot show another file's contents.
 */
export function fileAccess(specFile: string | undefined): FileAccess {
  if (vscode.workspace.isTrusted) return {};
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return { confineTo: folders.length > 0 ? folders : specFile ? [path.dirname(specFile)] : [] };
}
