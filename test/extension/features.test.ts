// Editor features on a spec: the quick fix for reversed bounds, the parameter hover and the CodeLens.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, ours, waitFor } from './helpers';

const SPEC = `{
  "dataset": { "source": "synthetic" },
  "architecture": {
    "type": "sequential",
    "layers": [{ "type": "flatten" }, { "type": "dense", "units": { "int": [64, 16] } }, { "type": "dense", "units": { "choice": [8, 16, 32] } }]
  },
  "search": { "strategy": "random", "budget": { "trials": 3 } }
}`;

suite('quick fixes, hover and CodeLens', () => {
  suiteSetup(async () => {
    await activate();
  });

  async function open(content: string) {
    const doc = await vscode.workspace.openTextDocument({ language: 'nas-json', content });
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  test('the quick fix swaps reversed bounds', async () => {
    const doc = await open(SPEC);
    const diag = await waitFor('the reversed-bounds diagnostic', () => ours(doc.uri).find((d) => d.code === 'reversed-bounds'));
    assert.equal(diag.message, 'the lower bound 64 is greater than the upper bound 16');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const swap = actions.find((a) => a.title === 'Swap the bounds to [16, 64]');
    assert.ok(swap?.edit, `no swap among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(swap.isPreferred);
    assert.ok(await vscode.workspace.applyEdit(swap.edit));
    assert.ok(doc.getText().includes('"units": { "int": [16, 64] }'));
    await waitFor('the diagnostic to go away', () => !ours(doc.uri).some((d) => d.code === 'reversed-bounds'));
  });

  test('the quick fix renames a misspelt property', async () => {
    const doc = await open(
      '{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [{ "type": "flatten" }] }, "trainig": {} }',
    );
    const diag = await waitFor('the unknown-property diagnostic', () => ours(doc.uri).find((d) => d.code === 'unknown-property'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const rename = actions.find((a) => a.title === "Rename 'trainig' to 'training'");
    assert.ok(rename?.edit);
    assert.ok(await vscode.workspace.applyEdit(rename.edit));
    assert.ok(doc.getText().includes('"training": {}'));
  });

  test('hovering a parameter tells its values and the strategies that can use it', async () => {
    const doc = await open(SPEC);
    const pos = doc.positionAt(doc.getText().indexOf('"choice"') + 2);
    const hovers = await waitFor('a hover', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
      const text = h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes('Search parameter') && text;
    });
    assert.match(hovers, /\*\*3 values\*\*: `8`, `16`, `32`/);
    assert.match(hovers, /`grid` \| yes: lists all 3 values/);
    // The field's own documentation stays: the parameter is the value of `units`.
    assert.match(hovers, /\*\*units\*\* — integer ≥ 1 or a parameter/);
    assert.match(hovers, /Number of output units/);
  });

  test('the CodeLens offers to run and summarises the space', async () => {
    const doc = await open(SPEC.replace('[64, 16]', '[16, 64]'));
    const lenses = await waitFor('CodeLenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
      return l.length >= 2 && l;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(
      titles.some((t) => t.includes('Run search')),
      titles.join(' | '),
    );
    const summary = titles.find((t) => t.includes('architectures'));
    assert.ok(summary, titles.join(' | '));
    // The time reads as a user would say it ("~2-7 min", "up to 33 s", "under 1 s"), never "~<1-33 s".
    assert.match(summary, /^147 architectures · \S+ weights · (?:~\d[^<]*|up to \d[^<]*|under 1 s) for 3 trials \(estimate\)$/);
    assert.equal(lenses[0].range.start.line, 0);
  });
});
