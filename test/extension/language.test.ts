// The language mode: *.nas.json files get it, the checker's findings appear as diagnostics with the exact
// messages and places `nas-studio check` prints (and nobody else reports them again), completion, outline and
// formatting come from the extension.
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

  test('completion at a field position lists the fields of that layer, with details, once each, and no snippets', async () => {
    const text = '{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [{ "type": "conv2d", "filters": 8,  }] } }';
    const doc = await vscode.workspace.openTextDocument({ language: 'nas-json', content: text });
    await vscode.window.showTextDocument(doc);
    const pos = doc.positionAt(text.indexOf('8,  }') + 3);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
    // Words of open documents come from the editor, not from a language: only the language's own items count.
    const items = list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text);
    const labels = items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const f of ['kernelSize', 'strides', 'padding', 'activation']) assert.ok(labels.includes(f), `${f} in ${labels.join(', ')}`);
    assert.ok(!labels.includes('units'), labels.join(', '));
    assert.equal(new Set(labels).size, labels.length, `duplicates: ${labels.join(', ')}`);
    assert.deepEqual(
      items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map((i) => i.label),
      [],
    );
    assert.equal(items.find((i) => i.label === 'kernelSize')?.detail, 'integer ≥ 1 or a parameter · default 3');
  });

  test('completion at a value position offers the schema values', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'nas-json', content: '{ "dataset": { "source": "" } }' });
    await vscode.window.showTextDocument(doc);
    const pos = doc.positionAt(doc.getText().indexOf('""') + 1);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
    const labels = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Value).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual(labels, ['"synthetic"', '"idx"', '"csv"']);
  });

  test('each mistake is reported once, by NAS Studio: comments and trailing commas are allowed', async () => {
    const file = path.join(tempDir(), 'commented.nas.json');
    fs.writeFileSync(
      file,
      '// a comment\n{\n  "dataset": { "source": "synthetic" }, /* another */\n  "architecture": { "type": "sequential", "layers": [{ "type": "conv2d", "kernelSize": 3 },] },\n}\n',
    );
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    await waitFor('the missing filters', () => ours(doc.uri).some((x) => x.message === "missing required property 'filters' in conv2d"));
    // The JSON service took a moment to start and report when nas-json was its language: give it that time.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(
      vscode.languages
        .getDiagnostics(doc.uri)
        .filter((x) => x.source !== 'nas-studio')
        .map((x) => `${x.source}: ${x.message}`),
      [],
    );
    assert.deepEqual(
      ours(doc.uri)
        .filter((x) => x.severity !== vscode.DiagnosticSeverity.Information)
        .map((x) => x.message),
      ["missing required property 'filters' in conv2d"],
    );
  });

  test('the outline lists the sections and the layers by type', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, 'examples', 'synthetic-shapes.nas.json')));
    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s?.length ? s : undefined;
    });
    const names = symbols.map((s) => s.name);
    assert.ok(names.includes('dataset') && names.includes('architecture'), names.join(', '));
    const layers = symbols.find((s) => s.name === 'architecture')?.children.find((s) => s.name === 'layers');
    assert.match(layers?.children[0]?.name ?? '', /^1\. \w+/);
  });

  test('Format Document formats a spec and keeps its comments', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'nas-json', content: '// keep me\n{"dataset":{"source":"synthetic"}}' });
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    assert.ok(edits?.length, 'no edits');
    const we = new vscode.WorkspaceEdit();
    we.set(doc.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(we));
    // Lines are kept: one-line layers, as the examples write them, stay on one line.
    assert.equal(doc.getText(), '// keep me\n{ "dataset": { "source": "synthetic" } }');
  });
});
