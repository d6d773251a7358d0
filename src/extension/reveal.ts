// "Reveal in spec" from the results panel: opens the spec a run came from and shows, after each field the
// search decided, the value the trial chose. The notes go away when the spec is edited.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { NasSpec } from '../shared/spec';
import { parse } from '../core/json';
import { readMeta } from '../core/rundir';
import type { RunRecord } from './runRecord';
import { trialMarks } from './trialMarks';

let decoration: vscode.TextEditorDecorationType | undefined;
let clearOnEdit: vscode.Disposable | undefined;

export async function revealTrial(r: RunRecord, trial: number): Promise<void> {
  let config;
  for (const e of r.events) if (e.type === 'trial-started' && e.trial === trial) config = e.config;
  if (!config) {
    void vscode.window.showWarningMessage(`NAS Studio: ${r.name} has no trial ${trial}.`);
    return;
  }
  // The spec as the user has it now; the run's own copy if it was moved or deleted.
  const specFile = readMeta(r.runDir)?.specFile;
  const file = specFile && fs.existsSync(specFile) ? specFile : r.paths.spec;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
  const parsed = parse(doc.getText());
  if (!parsed.value || typeof parsed.value !== 'object') return;
  const marks = trialMarks(doc.getText(), parsed.value as NasSpec, config.params);
  decoration?.dispose();
  clearOnEdit?.dispose();
  decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1.5em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  const options = marks.map((m) => {
    const p = doc.positionAt(m.offset);
    return { range: new vscode.Range(p, p), renderOptions: { after: { contentText: `trial ${trial}: ${m.text}` } } };
  });
  editor.setDecorations(decoration, options);
  if (options[0]) editor.revealRange(options[0].range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  const shown = decoration;
  clearOnEdit = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document === doc && e.contentChanges.length) {
      shown.dispose();
      clearOnEdit?.dispose();
    }
  });
  if (!options.length) void vscode.window.showInformationMessage(`NAS Studio: trial ${trial} made no decision that maps onto the spec as it is now.`);
}
