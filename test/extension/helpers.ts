// Shared by the extension-host tests: the activated extension, its folder, and waiting for the editor.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NasStudioApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'nas-studio.nas-studio';

export async function activate(): Promise<{ api: NasStudioApi; root: string }> {
  const ext = vscode.extensions.getExtension<NasStudioApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this window`);
  const api = await ext.activate();
  if (!api) throw new Error('the extension failed to activate (see the NAS Studio output channel)');
  return { api, root: ext.extensionPath };
}

/** Polls until `probe` returns something truthy; fails with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'nas-studio');
}

/** `// expect: LINE:COL severity: message` lines of a fixture, as test/unit/fixtures.test.ts reads them. */
export function expectations(text: string): string[] {
  return [...text.matchAll(/^\/\/ expect: (\d+):(\d+) (error|warning): (.*)$/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}: ${m[4]}`);
}

export function format(d: vscode.Diagnostic): string {
  const sev = d.severity === vscode.DiagnosticSeverity.Error ? 'error' : d.severity === vscode.DiagnosticSeverity.Warning ? 'warning' : 'info';
  return `${d.range.start.line + 1}:${d.range.start.character + 1} ${sev}: ${d.message}`;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nas-studio-ext-'));
}
