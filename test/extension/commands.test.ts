// Commands and settings: everything the manifest contributes is registered, and Config reads the defaults.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { getConfig } from '../../src/extension/config';
import { activate } from './helpers';

suite('commands and configuration', () => {
  suiteSetup(async () => {
    await activate();
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

  test('Check Search Space reports on the active spec', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'nas-json',
      content: '{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [{ "type": "flatten" }] } }',
    });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('nasStudio.checkSearchSpace');
  });
});
