// Commands and settings: everything the manifest contributes is registered, and Config reads the defaults.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { CheckReport } from '../../src/extension/commands';
import { getConfig } from '../../src/extension/config';
import { activate, format, ours } from './helpers';

suite('commands and configuration', () => {
  let root: string;
  suiteSetup(async () => {
    ({ root } = await activate());
  });

  test('every command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['runSearch', 'stopSearch', 'resumeSearch', 'openResults', 'exportBestModel', 'checkSearchSpace', 'newSearchSpace']) {
      assert.ok(all.includes(`nasStudio.${c}`), `nasStudio.${c} is not registered`);
    }
  });

  test('Config reads the contributed defaults', () => {
    assert.deepEqual(getConfig(), { parallel: null, backend: 'auto', nodePath: undefined, resultsFolder: undefined, queue: undefined });
  });

  test('Config follows a changed setting and rejects nonsense', async () => {
    const c = vscode.workspace.getConfiguration('nasStudio');
    await c.update('parallel', 2, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(getConfig().parallel, 2);
      await c.update('parallel', 0, vscode.ConfigurationTarget.Global);
      assert.equal(getConfig().parallel, null);
    } finally {
      await c.update('parallel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Check Search Space reports on the active spec: the notification, the report and the Problems agree', async () => {
    // Another spec opened first, so the command must pick the active editor's, not any spec it can find.
    const clean = vscode.Uri.file(path.join(root, 'examples', 'synthetic-shapes.nas.json'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(clean));
    const bad = vscode.Uri.file(path.join(root, 'test', 'fixtures', 'bad', '05-reversed-bounds.nas.json'));
    const doc = await vscode.workspace.openTextDocument(bad);
    await vscode.window.showTextDocument(doc);
    const report = await vscode.commands.executeCommand<CheckReport>('nasStudio.checkSearchSpace');
    assert.ok(report, 'the command showed no report');
    const name = vscode.workspace.asRelativePath(bad);
    assert.equal(report.message, 'NAS Studio: 05-reversed-bounds.nas.json: 1 error, 0 warnings');
    assert.equal(report.lines[0], `check ${name}`);
    assert.ok(report.lines.includes(`${name}:6:76: error: the lower bound 64 is greater than the upper bound 16`), report.lines.join('\n'));
    assert.equal(report.lines.at(-1), `${name}: 1 error, 0 warnings`);
    // The same finding, at the same place, in the Problems panel.
    const problems = ours(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(problems.map(format), ['6:76 error: the lower bound 64 is greater than the upper bound 16']);

    // Run on a spec given by URI (the editor title, the explorer): a clean space reports its size.
    const ok = await vscode.commands.executeCommand<CheckReport>('nasStudio.checkSearchSpace', clean);
    assert.match(ok?.message ?? '', /^NAS Studio: synthetic-shapes\.nas\.json: ok\. [\d,]+ architectures, .*parameters to search/);
    assert.deepEqual(ok?.lines.slice(1, -1), [], 'a clean spec has no findings');
  });
});
