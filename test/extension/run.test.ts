// A real search from the extension: the CLI child process, the journal followed from the run folder, a stop.
// Small on purpose (a tiny dense net on generated data), so it takes seconds on any machine.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { NasStudioApi } from '../../src/extension/extension';
import { activate, tempDir, waitFor } from './helpers';

let root: string;

const spec = (trials: number, epochs: number) =>
  JSON.stringify({
    name: 'extension test',
    dataset: { source: 'synthetic', generator: 'blobs', samples: 200, features: 4, classes: 2 },
    architecture: { type: 'sequential', layers: [{ type: 'dense', units: { choice: [4, 8] } }] },
    training: { epochs, batchSize: 32 },
    search: { strategy: 'random', budget: { trials }, parallel: 1 },
  });

suite('running a search', () => {
  let api: NasStudioApi;
  suiteSetup(async function () {
    ({ api, root } = await activate());
    if (!vscode.workspace.isTrusted) this.skip();
  });

  test('Run Search runs the CLI and follows the run to its end', async function () {
    this.timeout(180_000);
    const dir = tempDir();
    const file = path.join(dir, 'tiny.nas.json');
    fs.writeFileSync(file, spec(2, 1));
    const runDir = await vscode.commands.executeCommand<string | undefined>('nasStudio.runSearch', vscode.Uri.file(file));
    assert.ok(runDir, 'no run folder');
    assert.equal(path.dirname(runDir), path.join(dir, '.nas-studio', 'runs'));
    const record = api.supervisor.record(runDir);
    await waitFor('the run to finish', () => !record.live, 150_000);
    assert.equal(record.status, 'finished', record.message);
    const snap = api.supervisor.snapshot(runDir);
    assert.equal(snap.events.filter((e) => e.type === 'trial-completed').length, 2);
    assert.equal(snap.events.at(-1)?.type, 'run-finished');
    assert.ok(!fs.existsSync(path.join(runDir, 'lock.json')), 'the lock is released');
  });

  test('Stop Search stops it cleanly; the journal is kept and it can be resumed', async function () {
    this.timeout(180_000);
    const dir = tempDir();
    const file = path.join(dir, 'longer.nas.json');
    fs.writeFileSync(file, spec(200, 50));
    const runDir = await vscode.commands.executeCommand<string | undefined>('nasStudio.runSearch', vscode.Uri.file(file));
    assert.ok(runDir);
    const record = api.supervisor.record(runDir);
    await waitFor('the run to start training', () => record.status === 'running' && record.events.some((e) => e.type === 'trial-started'), 120_000);
    await vscode.commands.executeCommand('nasStudio.stopSearch', runDir);
    await waitFor('the run to stop', () => !record.live, 60_000);
    assert.equal(record.status, 'stopped', record.message);
    assert.ok(record.canResume);
    assert.equal(api.supervisor.snapshot(runDir).events.at(-1)?.type, 'run-finished');
  });

  /** A search started outside this window (another window, or this one before a reload), from its lock. */
  async function startedElsewhere(trials: number, epochs: number) {
    const dir = tempDir();
    const file = path.join(dir, 'elsewhere.nas.json');
    fs.writeFileSync(file, spec(trials, epochs));
    const runs = path.join(dir, 'runs');
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', file, '--json', '--out', runs], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: 'ignore',
      detached: true,
    });
    const runDir = await waitFor(
      'the run folder',
      () =>
        fs.existsSync(runs) &&
        fs
          .readdirSync(runs)
          .map((d) => path.join(runs, d))
          .find((d) => fs.existsSync(path.join(d, 'lock.json'))),
      60_000,
    );
    return { child, runDir };
  }

  test('a search running elsewhere is followed from its folder to its end', async function () {
    this.timeout(120_000);
    const { runDir } = await startedElsewhere(3, 1);
    const record = api.supervisor.record(runDir);
    assert.ok(record.live, `found ${record.status}`);
    assert.ok(api.supervisor.liveRuns().includes(record));
    await waitFor('the run to finish', () => !record.live, 100_000);
    assert.equal(record.status, 'finished', record.message);
    assert.equal(record.events.filter((e) => e.type === 'trial-completed').length, 3);
  });

  test('a search whose process is killed is reported crashed, and resumes', async function () {
    this.timeout(180_000);
    const { child, runDir } = await startedElsewhere(200, 50);
    const record = api.supervisor.record(runDir);
    await waitFor('training to start', () => record.events.some((e) => e.type === 'trial-started'), 60_000);
    process.kill(child.pid!, 'SIGKILL');
    await waitFor('the crash to be noticed', () => !record.live, 30_000);
    assert.equal(record.status, 'crashed');
    assert.ok(record.canResume);
    assert.ok(fs.existsSync(path.join(runDir, 'lock.json')), 'a killed process leaves its lock behind');
    const before = record.events.length;
    await api.supervisor.resume(runDir);
    await waitFor(
      'the resumed run to start',
      () => record.status === 'running' && record.events.slice(before).some((e) => e.type === 'run-started' && e.resumed),
      60_000,
    );
    await api.supervisor.stop(runDir);
    await waitFor('the resumed run to stop', () => !record.live, 60_000);
    assert.equal(record.status, 'stopped', record.message);
  });

  test("a run locked by another host's process shows whose lock it is, and a take-over resumes it", async function () {
    this.timeout(180_000);
    const { child, runDir } = await startedElsewhere(200, 50);
    // A run that began (its journal has run-started), its process gone before this window looks, its lock one that
    // a process on another machine left.
    const journal = path.join(runDir, 'journal.jsonl');
    await waitFor('the run to start', () => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('"run-started"'), 60_000);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    const started = new Date(Date.now() - 3 * 3600_000).toISOString();
    fs.writeFileSync(path.join(runDir, 'lock.json'), JSON.stringify({ pid: 4242, host: 'another-machine', started }));
    const record = api.supervisor.record(runDir);
    assert.ok(record.live, `found ${record.status}: nothing here can tell that it is not running`);
    assert.match(record.message ?? '', /process 4242 on another-machine \(locked 3\.0 h ago\).*Stop offers to take it over/);
    const before = record.events.length;
    // What the prompt's "Take Over and Resume" runs.
    await api.supervisor.resume(runDir, false, true);
    await waitFor(
      'the taken-over run to start',
      () => record.status === 'running' && record.events.slice(before).some((e) => e.type === 'run-started' && e.resumed),
      60_000,
    );
    assert.ok(record.events.slice(before).some((e) => e.type === 'log' && /took over the lock of process 4242 on another-machine/.test(e.message)));
    await api.supervisor.stop(runDir);
    await waitFor('the resumed run to stop', () => !record.live, 60_000);
    assert.equal(record.status, 'stopped', record.message);
  });
});
