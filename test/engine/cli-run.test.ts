// `nas-studio run`, `resume` and `export` end to end on a tiny search: --json is the contract's lines and
// nothing else, a caller-named run folder, resume keeping the run's own options, and an exported model that
// plain @tensorflow/tfjs loads in Node through the shipped loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, isRunSummary, parseCliLine } from '../../src/shared/cli';
import { readJournal } from '../../src/core/journal';
import { readMeta, runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { resumeArgs } from '../../src/extension/cli';
import { cli } from '../helpers/cli';
import { tinyWorkspace } from '../helpers/workspace';

const root = path.join(__dirname, '..', '..');

const workspace = (trials: number) =>
  tinyWorkspace('nas-cli-run-', (spec) => {
    spec.search = { ...spec.search, budget: { trials }, parallel: 1 };
  });

function done(runDir: string): number {
  return RunState.from(readJournal(runPaths(runDir).journal).events).counts().done;
}

test('--json prints only contract lines, ends in a summary, and the run goes where --run-dir says', async () => {
  const ws = workspace(2);
  const runDir = path.join(ws.dir, 'named-by-the-caller');
  const r = await cli('run', ws.file, '--json', '--run-dir', runDir);
  assert.equal(r.code, EXIT.ok, r.err);
  const lines = r.lines.map(parseCliLine);
  assert.ok(
    lines.every((l) => l !== undefined),
    `a stdout line outside the contract:\n${r.lines.filter((_, i) => !lines[i]).join('\n')}`,
  );
  const started = lines.find((l) => l?.type === 'run-started');
  assert.ok(started?.type === 'run-started' && started.samples && started.samples.train > 0, 'run-started carries the sample counts');
  const last = lines.at(-1);
  assert.ok(isRunSummary(last) && last.runDir === runDir && last.trials.completed === 2, r.lines.at(-1));
  assert.ok(fs.existsSync(runPaths(runDir).journal));
  // The folder is the caller's: a second run into it is refused rather than mixed in.
  const again = await cli('run', ws.file, '--json', '--run-dir', runDir);
  assert.equal(again.code, EXIT.usage);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test("resume keeps the run's --max-trials (and takes a new one when given)", async () => {
  const ws = workspace(5);
  const runDir = path.join(ws.dir, 'run');
  assert.equal((await cli('run', ws.file, '--json', '--run-dir', runDir, '--max-trials', '1')).code, EXIT.ok);
  assert.equal(done(runDir), 1);
  assert.deepEqual(readMeta(runDir)?.options, { maxTrials: 1 });
  // The spec says 5; the run was started with 1: the resume has nothing left to do.
  const r = await cli('resume', runDir, '--json');
  assert.equal(r.code, EXIT.ok, r.err);
  assert.equal(done(runDir), 1, "resume went past the run's --max-trials to the spec's budget");
  assert.equal((await cli('resume', runDir, '--json', '--max-trials', '2')).code, EXIT.ok);
  assert.equal(done(runDir), 2);
  assert.equal((await cli('resume', runDir, '--json')).code, EXIT.ok);
  assert.equal(done(runDir), 2, 'the new --max-trials is the one kept');
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test("a lock left by another host's process names it and how to take it over; --take-over resumes and journals it", async () => {
  const ws = workspace(5);
  const runDir = path.join(ws.dir, 'run');
  assert.equal((await cli('run', ws.file, '--json', '--run-dir', runDir, '--max-trials', '1')).code, EXIT.ok);
  // A run folder on a shared disk, or a container since renamed: this machine cannot probe that process.
  const foreign = { pid: 4242, host: 'another-machine', started: '2026-12-01T08:00:00.000Z' };
  fs.writeFileSync(runPaths(runDir).lock, JSON.stringify(foreign));
  const refused = await cli('resume', runDir, '--json', '--max-trials', '2');
  assert.equal(refused.code, EXIT.failed);
  assert.match(refused.err, /process 4242 on another-machine \(since 2026-12-01T08:00:00.000Z\).*--take-over/s);
  assert.equal(done(runDir), 1);
  // The command line the extension's "Take Over and Resume" runs.
  const r = await cli(...resumeArgs(runDir, { parallel: null, backend: 'auto' }, false, true), '--max-trials', '2');
  assert.equal(r.code, EXIT.ok, r.err);
  assert.equal(done(runDir), 2);
  const logs = readJournal(runPaths(runDir).journal).events.filter((e) => e.type === 'log');
  assert.ok(
    logs.some((e) => e.type === 'log' && /took over the lock of process 4242 on another-machine/.test(e.message)),
    'the journal says whose lock was taken over',
  );
  assert.ok(!fs.existsSync(runPaths(runDir).lock), 'the resume released the lock it took');
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('export writes a README with rounded figures and a loader that plain @tensorflow/tfjs runs in Node', async () => {
  const ws = workspace(1);
  const runDir = path.join(ws.dir, 'run');
  assert.equal((await cli('run', ws.file, '--json', '--run-dir', runDir)).code, EXIT.ok);
  const out = path.join(ws.dir, 'model');
  const r = await cli('export', runDir, '--best', '--out', out);
  assert.equal(r.code, EXIT.ok, r.err);
  assert.match(r.out, /val_accuracy = \d\.\d{1,4}\)/);
  const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  assert.match(readme, /require\('\.\/load\.js'\)/);
  assert.doesNotMatch(readme, /val_accuracy: \*\*\d\.\d{5,}/, 'the README rounds the value');
  // A fresh Node process with only @tensorflow/tfjs: load the model and predict one sample.
  const script = `const tf = require('@tensorflow/tfjs');
    require(${JSON.stringify(path.join(out, 'load.js'))}).load().then((m) => {
      const y = m.predict(tf.zeros([1, 8, 8, 1]));
      console.log(JSON.stringify({ shape: y.shape, sum: y.sum().dataSync()[0] }));
    }, (e) => { console.error(e); process.exit(1); });`;
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd: ws.dir,
    env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { shape: number[]; sum: number };
  assert.deepEqual(result.shape, [1, 3]);
  assert.ok(Math.abs(result.sum - 1) < 1e-4, `softmax outputs sum to 1, not ${result.sum}`);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('export of an interrupted trial says it was interrupted, not that it is running', async () => {
  const ws = workspace(1);
  const runDir = path.join(ws.dir, 'run');
  assert.equal((await cli('run', ws.file, '--json', '--run-dir', runDir)).code, EXIT.ok);
  // As a stop leaves it: a trial started and never ended, the run finished as stopped.
  const j = runPaths(runDir).journal;
  const events = readJournal(j).events;
  const started = events.find((e) => e.type === 'trial-started')!;
  fs.appendFileSync(j, JSON.stringify({ ...started, trial: 7, time: new Date().toISOString() }) + '\n');
  fs.appendFileSync(j, JSON.stringify({ type: 'run-finished', time: new Date().toISOString(), reason: 'stopped' }) + '\n');
  const r = await cli('export', runDir, '--trial', '7', '--out', path.join(ws.dir, 'm'));
  assert.equal(r.code, EXIT.failed);
  assert.match(r.err, /trial 7 was interrupted \(the run stopped before it finished; resume the run to finish it\)/);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});
