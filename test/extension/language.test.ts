// The language mode: *.nas.json files get it, the checker's findings appear as diagnostics with the exact
// messages and places `nas-studio check` prints, and VS Code's JSON service completes from the schema.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, expectations, format, ours, tempDir, waitFor } from './helpers';

suite('language mode and diagnostics', () => {
  let root: string;
  suiteSetup(async () => {
    ({ root } = await activate());
  });

  test('a .nas.json file opens in the nas-json language', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, 'examples', 'synthetic-shapes.nas.json')));
    assert.equal(doc.languageId, 'nas-json');
  });

  for (const fixture of [
    '05-reversed-bounds.nas.json',
    '03-typo-field.nas.json',
    '14-unknown-optimizer.nas.json',
    '08-conv-after-flatten.nas.json',
    '01-syntax-missing-comma.nas.json',
  ]) {
    test(`diagnostics of ${fixture} match the checker exactly`, async () => {
      const file = path.join(root, 'test', 'fixtures', 'bad', fixture);
      const expected = expectations(fs.readFileSync(file, 'utf8'));
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc);
      const got = await waitFor(`diagnostics on ${fixture}`, () => {
        const d = ours(doc.uri).filter((x) => x.severity !== vscode.DiagnosticSeverity.Information);
        return d.length >= expected.length && d;
      });
      assert.deepEqual(got.map(format), expected);
    });
  }

  test('diagnostics follow edits, debounced', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'nas-json',
      content: '{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [{ "type": "flatten" }] } }',
    });
    await vscode.window.showTextDocument(doc);
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(
      ours(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error),
      [],
    );
    const edit = new vscode.WorkspaceEdit();
    const at = doc.getText().indexOf('"synthetic"');
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + '"synthetic"'.length)), '"synthetc"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const d = await waitFor('a diagnostic for the typo', () => ours(doc.uri).find((x) => x.message.includes('"synthetc" is not allowed here')));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.code, 'schema');
  });

  test("VS Code's JSON service completes enum values from the schema", async () => {
    // On disk: the schema is associated by file name (*.nas.json), which an untitled document does not have.
    const file = path.join(tempDir(), 'complete.nas.json');
    fs.writeFileSync(file, '{ "dataset": { "source": "" } }');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const pos = doc.positionAt(doc.getText().indexOf('""') + 1);
    // The JSON language server starts on demand, and words of open documents are offered meanwhile: wait for
    // the schema's enum, whose labels are quoted.
    let labels: string[] = [];
    await waitFor(
      `schema completions (last offered: ${labels.join(', ')})`,
      async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
        labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        return ['"synthetic"', '"idx"', '"csv"'].every((v) => labels.includes(v));
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; offered: ${labels.join(', ')}`);
    });
  });

  test("VS Code's JSON service accepts comments and trailing commas, and validates against the schema", async () => {
    const file = path.join(tempDir(), 'commented.nas.json');
    fs.writeFileSync(
      file,
      '// a comment\n{\n  "dataset": { "source": "synthetic" }, /* another */\n  "architecture": { "type": "sequential", "layers": [{ "type": "dense", "units": "many" },] },\n}\n',
    );
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    // Its finding about "many" shows it has validated the file; none may be about the syntax the language allows.
    const theirs = await waitFor(
      'the JSON service to validate',
      () => {
        const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source !== 'nas-studio');
        return d.some((x) => x.range.start.line === 3) && d;
      },
      30_000,
    );
    assert.deepEqual(
      theirs.filter((x) => /comment|trailing/i.test(x.message)).map((x) => x.message),
      [],
    );
    assert.ok(
      ours(doc.uri).some((x) => x.range.start.line === 3),
      'the checker reports it too',
    );
  });
});
